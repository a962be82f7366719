/**
 * The catalogue the benchmark plays: the sandbox's scenario catalogue with a warm-up long enough for
 * every feature to have the history a long-running workload has in Prometheus.
 *
 * Why not the catalogue's own 10-minute warm-up: feature set v2's previous-release features read the
 * 15 minutes that ended 15 minutes ago, and are missing (`no-history`) while the Deployment is
 * younger than those 30 minutes, as on a fresh Prometheus. With a 10-minute warm-up every fault
 * started 12–16 minutes into the workload's life, so the diagnosis never had the evidence that the
 * release before was healthy: every bad release climbed the whole ladder (restart, cache clear, then
 * rollback). A production Deployment is hours or days old when a release breaks it; the benchmark
 * measures that case. (A Deployment younger than the look-back gets the ladder, by design.)
 */
import { buildScenarioCatalogue, type CatalogueScenario, type ScenarioCatalogueOptions } from '@autoheal/sandbox';

/**
 * The warm-up before the measured window: the previous-release look-back (15 min window ending
 * 15 min ago, the Prometheus adapter's defaults), so the first look of the window already has it.
 */
export const BENCH_WARMUP_MS = 30 * 60_000;

/** The sandbox's scenario catalogue with the benchmark's warm-up ({@link BENCH_WARMUP_MS}). */
export function benchCatalogue(options: Omit<ScenarioCatalogueOptions, 'warmupMs'> = {}): CatalogueScenario[] {
  return buildScenarioCatalogue({ ...options, warmupMs: BENCH_WARMUP_MS });
}
