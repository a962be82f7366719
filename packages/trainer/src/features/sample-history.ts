/**
 * Sample histories: the raw time series a feature is computed from, as Prometheus stores them
 * (a metric name, a label set, and samples sorted by time).
 */

/** One sample: epoch milliseconds and a value. */
export interface Sample {
  t: number;
  v: number;
  /**
   * A staleness marker (Prometheus' StaleNaN): the series vanished from the scrape at `t`. Range
   * functions skip it; an instant selector finds nothing past it. Only written by a recorder made with
   * `staleMarkers: true`.
   */
  stale?: true;
}

/** One time series: name, labels and its samples in increasing time order. */
export interface SeriesHistory {
  name: string;
  labels: Readonly<Record<string, string>>;
  samples: Sample[];
}

/** One scraped value, as `/metrics` renders it (the sandbox's `scrape()` returns these). */
export interface ScrapedSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  // Sorted label names make the key independent of the order the scraper listed them in.
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return `${name}{${parts.join(',')}}`;
}

/**
 * Collects scrapes into series, keeping only as much history as the feature windows need, so a long
 * simulated run stays small in memory.
 *
 * @example
 * const recorder = new SeriesRecorder({ retentionMs: 6 * 60_000 });
 * recorder.ingest(sim.clock.now(), sim.scrape());
 * computeFeatures(recorder.series(), sim.clock.now());
 */
export class SeriesRecorder {
  private readonly byKey = new Map<string, SeriesHistory>();
  private readonly retentionMs: number;
  private readonly staleMarkers: boolean;

  /**
   * @param options.retentionMs how far back to keep samples; @default 6 minutes (the longest seed
   *   window, 5 min, plus a margin). Feature set v2 reads 30 minutes back (the previous-release
   *   window): use `31 * 60_000` or more.
   * @param options.staleMarkers write a staleness marker when a series vanishes from a scrape, as
   *   Prometheus does, so a deleted pod stops counting at once instead of after the 5-minute lookback.
   *   @default false (the shipped risk-v1 was trained without them; keep it so to reproduce it)
   */
  constructor(options: { retentionMs?: number; staleMarkers?: boolean } = {}) {
    this.retentionMs = options.retentionMs ?? 6 * 60_000;
    this.staleMarkers = options.staleMarkers ?? false;
  }

  /** Appends one scrape taken at `at` (epoch ms) and drops samples older than the retention. */
  ingest(at: number, scrape: readonly ScrapedSample[]): void {
    const seen = this.staleMarkers ? new Set<string>() : undefined;
    for (const sample of scrape) {
      const key = seriesKey(sample.name, sample.labels);
      let series = this.byKey.get(key);
      if (!series) {
        series = { name: sample.name, labels: { ...sample.labels }, samples: [] };
        this.byKey.set(key, series);
      }
      const last = series.samples[series.samples.length - 1];
      seen?.add(key);
      // A second scrape at the same instant replaces the value, as Prometheus keeps one per timestamp.
      if (last && last.t === at) {
        last.v = sample.value;
        delete last.stale;
      } else series.samples.push({ t: at, v: sample.value });
    }
    if (seen) {
      for (const [key, series] of this.byKey) {
        const last = series.samples[series.samples.length - 1];
        if (!seen.has(key) && last && !last.stale && last.t < at) series.samples.push({ t: at, v: Number.NaN, stale: true });
      }
    }
    this.prune(at - this.retentionMs);
  }

  private prune(before: number): void {
    for (const [key, series] of this.byKey) {
      let drop = 0;
      while (drop < series.samples.length && (series.samples[drop] as Sample).t < before) drop++;
      if (drop === series.samples.length) this.byKey.delete(key);
      else if (drop > 0) series.samples.splice(0, drop);
    }
  }

  /** The series currently held (a live view: do not mutate). */
  series(): SeriesHistory[] {
    return [...this.byKey.values()];
  }
}
