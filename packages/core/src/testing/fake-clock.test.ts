import { describe, expect, it } from 'vitest';
import { createFakeClock } from './fake-clock.js';

describe('createFakeClock', () => {
  it('starts at the given time and only moves when advanced', async () => {
    const clock = createFakeClock(1_000);

    await clock.advance(250);

    expect(clock.now()).toBe(1_250);
  });

  it('resolves a sleep only once time reaches its due time', async () => {
    const clock = createFakeClock(0);
    let woke = false;
    void clock.sleep(100).then(() => (woke = true));

    await clock.advance(99);
    const beforeDue = woke;
    await clock.advance(1);

    expect(beforeDue).toBe(false);
    expect(woke).toBe(true);
  });

  it('wakes sleepers in order of due time, at their due time', async () => {
    const clock = createFakeClock(0);
    const woken: Array<[string, number]> = [];
    void clock.sleep(30).then(() => woken.push(['late', clock.now()]));
    void clock.sleep(10).then(() => woken.push(['early', clock.now()]));

    await clock.advance(50);

    expect(woken).toEqual([
      ['early', 10],
      ['late', 30],
    ]);
  });

  it('runs a sleep started by woken code within the same advance when it falls due', async () => {
    const clock = createFakeClock(0);
    const ticks: number[] = [];
    const loop = async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        ticks.push(clock.now());
      }
    };
    const done = loop();

    await clock.advance(30);
    await done;

    expect(ticks).toEqual([10, 20, 30]);
  });

  it('rejects a sleep when its signal aborts, and forgets it', async () => {
    const clock = createFakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);

    controller.abort(new Error('stop'));

    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('rejects an invalid start time naming the option', () => {
    expect(() => createFakeClock(Number.NaN)).toThrow(/createFakeClock: invalid startMs/);
  });
});
