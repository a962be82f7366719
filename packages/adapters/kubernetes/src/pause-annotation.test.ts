import { describe, expect, it } from 'vitest';
import { pauseAnnotationValue, pauseMarkOf } from './pause-annotation.js';

const source = 'annotation autoheal.dev/paused on deployment prod/web';

describe('the pause annotation', () => {
  it('round-trips what autoheal pause writes, times as ISO-8601 in the value', () => {
    const request = { by: 'alice', since: Date.parse('2026-12-07T16:00:00Z'), until: Date.parse('2026-12-07T18:00:00Z'), reason: 'db migration' };

    const value = pauseAnnotationValue(request);

    expect(value).toBe('{"by":"alice","since":"2026-12-07T16:00:00Z","until":"2026-12-07T18:00:00Z","reason":"db migration"}');
    expect(pauseMarkOf(value, 'target', source)).toEqual({ scope: 'target', source, ...request });
  });

  it('a hand-written value pauses: free text is the reason, true none; false and empty do not pause', () => {
    expect(pauseMarkOf('INC-7 in progress', 'target', source)).toEqual({ scope: 'target', source, reason: 'INC-7 in progress' });
    expect(pauseMarkOf('true', 'global', source)).toEqual({ scope: 'global', source });
    expect(pauseMarkOf('false', 'target', source)).toBeUndefined();
    expect(pauseMarkOf(' ', 'target', source)).toBeUndefined();
    expect(pauseMarkOf(undefined, 'target', source)).toBeUndefined();
  });

  it('an unreadable JSON value still pauses, and the reason says how to remove it', () => {
    const mark = pauseMarkOf('{"until": "tomorrow"}', 'target', source);

    expect(mark).toMatchObject({ scope: 'target', source });
    expect(mark?.reason).toMatch(/^unreadable autoheal.dev\/paused value .*still paused; autoheal resume/);
  });
});
