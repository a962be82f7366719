/** Runs one conformance check on a fresh fixture and always cleans it up, even when the check fails. */
export async function withFixture<F extends { cleanup?: () => Promise<void> | void }>(factory: () => Promise<F>, check: (fixture: F) => Promise<void>): Promise<void> {
  const fixture = await factory();
  try {
    await check(fixture);
  } finally {
    await fixture.cleanup?.();
  }
}
