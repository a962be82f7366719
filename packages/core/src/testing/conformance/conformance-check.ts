/** One check of an interface contract, run on a fresh fixture. */
export interface ConformanceCheck<F> {
  /** What the check asserts, in words (becomes the test name). */
  name: string;
  /** Throws (an assertion error) when the implementation breaks the contract. */
  run: (fixture: F) => Promise<void>;
}

/** Creates a fixture, runs `check` on it, and always cleans it up, even when the check fails. */
export async function runConformanceCheck<F extends { cleanup?: () => Promise<void> | void }>(factory: () => Promise<F>, check: ConformanceCheck<F>): Promise<void> {
  const fixture = await factory();
  try {
    await check.run(fixture);
  } finally {
    await fixture.cleanup?.();
  }
}
