import { describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, TICKET_TTL_MS, createReadCredentials } from './read-credentials.js';

const VIEWER = 'viewer-token-0123456789';
const API = 'api-token-0123456789abcdef';

describe('read credentials', () => {
  it('grants reads to the read tokens only', () => {
    const credentials = createReadCredentials([VIEWER, API]);
    expect(credentials.tokenGrantsRead(VIEWER)).toBe(true);
    expect(credentials.tokenGrantsRead(API)).toBe(true);
    expect(credentials.tokenGrantsRead(`${VIEWER}x`)).toBe(false);
    expect(credentials.tokenGrantsRead('')).toBe(false);
  });

  it('accepts a session until it expires, from any replica with the same tokens, and never after a token changes', () => {
    let now = 1_000_000;
    const credentials = createReadCredentials([VIEWER, API], () => now);
    const replica = createReadCredentials([API, VIEWER], () => now);
    const rotated = createReadCredentials(['viewer-token-rotated-0000', API], () => now);
    const { value } = credentials.issueSession();

    expect(value).not.toContain(VIEWER);
    expect(credentials.verifySession(value)).toBe(true);
    expect(replica.verifySession(value)).toBe(true);
    expect(rotated.verifySession(value)).toBe(false);
    expect(credentials.verifySession(value.replace(/\.(\d+)\./, (_m, expires: string) => `.${Number(expires) + 1}.`))).toBe(false);
    expect(credentials.verifySession(undefined)).toBe(false);
    now += SESSION_TTL_MS;
    expect(credentials.verifySession(value)).toBe(false);
  });

  it('accepts a ticket once, within its minute, and only as issued', () => {
    let now = 5_000_000;
    const credentials = createReadCredentials([VIEWER], () => now);
    const first = credentials.issueTicket().ticket;
    const second = credentials.issueTicket().ticket;
    const late = credentials.issueTicket().ticket;

    expect(first).not.toBe(second);
    expect(credentials.useTicket(first.slice(0, -2) + (first.endsWith('A') ? 'BB' : 'AA'))).toBe(false);
    expect(credentials.useTicket(first)).toBe(true);
    expect(credentials.useTicket(first)).toBe(false);
    expect(credentials.useTicket(second)).toBe(true);
    now += TICKET_TTL_MS;
    expect(credentials.useTicket(late)).toBe(false);
    // A session cookie is not a ticket, and a ticket is not a session.
    expect(credentials.useTicket(credentials.issueSession().value)).toBe(false);
    expect(credentials.verifySession(credentials.issueTicket().ticket)).toBe(false);
  });
});
