/**
 * Decision ids that sort by time: `<epoch ms, base 36, 9 chars>-<counter, base 36, 6 chars>-<tag>`.
 * Sorting ids as strings sorts records by evaluation time (then by creation order within one
 * millisecond); the random tag keeps ids from two autoheal processes apart. No `node:crypto`: core
 * must also load in a browser.
 */

function randomTag(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return uuid ? uuid.slice(0, 8) : Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

/**
 * Creates a generator of time-ordered ids.
 *
 * @example
 * const nextId = createDecisionIdGenerator();
 * nextId(clock.now()); // '0mhx8k2p0-000000-3f9a1c2e'
 */
export function createDecisionIdGenerator(): (nowMs: number) => string {
  const tag = randomTag();
  let counter = 0;
  return (nowMs) => {
    const time = Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0');
    const sequence = (counter++).toString(36).padStart(6, '0');
    return `${time}-${sequence}-${tag}`;
  };
}
