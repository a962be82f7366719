/** Message building and the small helpers (pure functions; delivery is in the .int tests). */
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { buildSlackMessage, escapeMrkdwn, formatFeatureValue, severityOf } from './slack-message.js';
import { parseRetryAfter, redactWebhookUrl } from './slack-notifier.js';

describe('severityOf', () => {
  it('maps decisions and suppressed reasons to the documented severities', () => {
    expect(severityOf({ decision: 'handoff' })).toBe('critical');
    expect(severityOf({ decision: 'heal' })).toBe('warning');
    expect(severityOf({ decision: 'kept' })).toBe('info');
    expect(severityOf({ decision: 'suppressed', suppressedReason: 'ceiling-reached' })).toBe('critical');
    expect(severityOf({ decision: 'suppressed', suppressedReason: 'unknown' })).toBe('warning');
    expect(severityOf({ decision: 'suppressed', suppressedReason: 'cooldown' })).toBe('info');
  });
});

describe('buildSlackMessage', () => {
  it('keeps Slack limits: header at most 150 characters, sections at most 3000', () => {
    const message = buildSlackMessage(makeDecisionRecord({ decision: 'kept', summary: 'x'.repeat(5000), target: { namespace: 'prod', kind: 'Deployment', name: 'a'.repeat(200) } }));
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of message.blocks) if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('escapes the "<" of a healthy risk comparison', () => {
    const json = JSON.stringify(buildSlackMessage(makeDecisionRecord({ decision: 'kept' })).blocks);
    expect(json).toContain('0.05 &lt; threshold 0.50 → *healthy*');
  });

  it('says the risk is unknown when the model could not score, and links the dashboard', () => {
    const record = makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown' });
    record.assessment = { ...record.assessment, probability: null, verdict: 'unknown', reason: 'http_5xx_error_rate missing' };
    const message = buildSlackMessage(record, { dashboardUrl: 'https://autoheal.example/' });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('unknown (threshold 0.50): http_5xx_error_rate missing');
    expect(json).toContain('<https://autoheal.example/#/targets/prod%2Fbackend|open in dashboard>');
    expect(message.text).toContain('risk unknown / threshold 0.50');
  });
});

describe('the diagnosis', () => {
  const diagnosed = () =>
    makeDecisionRecord({
      decision: 'heal',
      summary: 'prod/backend: at risk (risk 0.91 >= 0.50): step 1/3 (rollback) applied',
      diagnosis: {
        cause: 'bad-release',
        step: 'rollback',
        evidence: ['the current release is 3 min old', 'before it: 0.0% errors, 100% ready', 'now: 42% of requests fail'],
        summary: 'rollback first: the current release is 3 min old; before it: 0.0% errors, 100% ready; now: 42% of requests fail',
      },
    });

  it('gets a line with the cause and the step it calls for, then its evidence, one bullet each', () => {
    const message = buildSlackMessage(diagnosed());

    const sections = message.blocks.filter((block) => block.type === 'section' && block.text).map((block) => (block.type === 'section' ? block.text!.text : ''));
    expect(sections).toContain(
      '*Diagnosis:* bad-release → *rollback first*\n• the current release is 3 min old\n• before it: 0.0% errors, 100% ready\n• now: 42% of requests fail',
    );
    expect(message.text).toContain('diagnosis: rollback first: the current release is 3 min old;');
  });

  it('says when nothing was confident (the ladder in its order) in the blocks, not in the text fallback', () => {
    const message = buildSlackMessage(makeDecisionRecord({ decision: 'heal', diagnosis: { cause: 'unclear', evidence: [], summary: 'no confident diagnosis: the ladder in its order' } }));

    expect(JSON.stringify(message.blocks)).toContain('*Diagnosis:* unclear: no confident diagnosis: the ladder in its order');
    expect(message.text).not.toContain('diagnosis');
  });

  it('is left out of a record without one, and not repeated in the text when the summary says it', () => {
    expect(JSON.stringify(buildSlackMessage(makeDecisionRecord({ decision: 'kept' })).blocks)).not.toContain('Diagnosis');
    const record = diagnosed();
    record.summary = `${record.summary}; diagnosis: ${record.diagnosis!.summary}`;
    expect(buildSlackMessage(record).text.match(/rollback first/g)).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('escapes Slack control characters', () => {
    expect(escapeMrkdwn('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
  });

  it('formats values with units', () => {
    expect(formatFeatureValue('memory_usage_bytes', 52_428_800)).toBe('52,428,800 bytes (50.0 MiB)');
    expect(formatFeatureValue('cpu_usage_pct', 23.456)).toBe('23.46 percent of one core');
    expect(formatFeatureValue('ready_replica_ratio', 0.5)).toBe('0.5 (50%)');
    expect(formatFeatureValue('custom', 3)).toBe('3');
    expect(formatFeatureValue('cpu_usage_pct', null)).toBe('missing');
  });

  it('redacts the webhook URL and its secret path', () => {
    const url = 'https://hooks.slack.com/services/T1/B2/secret';
    expect(redactWebhookUrl(`POST ${url} failed; path /services/T1/B2/secret`, url)).toBe('POST [webhook URL redacted] failed; path [webhook path redacted]');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['1'])).toBe(1000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwoSeconds)).toBeGreaterThan(0);
    expect(parseRetryAfter(inTwoSeconds)).toBeLessThanOrEqual(2000);
  });
});
