/**
 * Sample histories: the raw time series a feature is computed from, as Prometheus stores them
 * (a metric name, a label set, and samples sorted by time).
 */

/** One sample: epoch milliseconds and a value. */
export interface Sample {
  t: number;
  v: number;
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

  /** @param options.retentionMs how far back to keep samples; @default 6 minutes (the longest window, 5 min, plus a margin). */
  constructor(options: { retentionMs?: number } = {}) {
    this.retentionMs = options.retentionMs ?? 6 * 60_000;
  }

  /** Appends one scrape taken at `at` (epoch ms) and drops samples older than the retention. */
  ingest(at: number, scrape: readonly ScrapedSample[]): void {
    for (const sample of scrape) {
      const key = seriesKey(sample.name, sample.labels);
      let series = this.byKey.get(key);
      if (!series) {
        series = { name: sample.name, labels: { ...sample.labels }, samples: [] };
        this.byKey.set(key, series);
      }
      const last = series.samples[series.samples.length - 1];
      // A second scrape at the same instant replaces the value, as Prometheus keeps one per timestamp.
      if (last && last.t === at) last.v = sample.value;
      else series.samples.push({ t: at, v: sample.value });
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
