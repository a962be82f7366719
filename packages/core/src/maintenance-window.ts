/**
 * Maintenance windows: schedules during which autoheal only looks and records, and changes nothing
 * (a planned migration, a load test, a freeze). A window is either weekly (days, a start and an end
 * time of day in a time zone) or one-off (from, until). Pure: the active window is a function of the
 * windows and the time.
 *
 * Why time zones go through `Intl`: a weekly window is written the way the team thinks of it
 * ("Saturdays 22:00–02:00 in Europe/Berlin"); `Intl.DateTimeFormat` gives the local day and time at
 * any instant in Node and in browsers alike, so core needs no time-zone library.
 */
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (24 h), e.g. "22:00"');

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone, e.g. "UTC" or "Europe/Berlin"' },
);

const isoInstant = z.string().refine((text) => /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) && Number.isFinite(Date.parse(text)), {
  message: 'must be an ISO-8601 date and time with its offset, e.g. "2026-12-24T18:00:00Z"',
});

/** A window that comes back every week: on `days`, from `start` to `end` local time (an `end` at or before `start` ends the next day). */
export const weeklyMaintenanceWindowSchema = z.strictObject({
  /** Shown in records and `autoheal status`. @default "weekly HH:MM–HH:MM" */
  name: z.string().min(1).optional(),
  /** The days the window starts on. @default every day */
  days: z.array(z.enum(WEEKDAYS, { message: `must be one of ${WEEKDAYS.join(', ')}` })).min(1, 'needs at least one day').optional(),
  start: timeOfDay,
  end: timeOfDay,
  /** @default "UTC" */
  timeZone: timeZone.default('UTC'),
});

/** A window that happens once. */
export const oneOffMaintenanceWindowSchema = z
  .strictObject({
    /** Shown in records and `autoheal status`. @default "from … until …" */
    name: z.string().min(1).optional(),
    from: isoInstant,
    until: isoInstant,
  })
  .refine((window) => Date.parse(window.until) > Date.parse(window.from), { message: 'until must be after from', path: ['until'] });

export const maintenanceWindowSchema = z.union([weeklyMaintenanceWindowSchema, oneOffMaintenanceWindowSchema], {
  error: 'must be a weekly window { days?, start: "HH:MM", end: "HH:MM", timeZone? } or a one-off window { from, until } (ISO-8601)',
});
export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowSchema>;

/** The window in force at an instant. */
export interface ActiveMaintenanceWindow {
  /** The window's name, or a description of it. */
  window: string;
  /** Epoch ms when it ends. */
  until: number;
}

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local weekday (0 = Monday) and minute of the day at `now` in `zone`. */
function localTime(now: number, zone: string): { day: number; minute: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, format);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(now)) {
    if (part.type === 'weekday') day = WEEKDAYS.indexOf(part.value.slice(0, 3).toLowerCase() as Weekday);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** A window's name for records: its own, else its schedule in words. */
export function maintenanceWindowName(window: MaintenanceWindow): string {
  if (window.name) return window.name;
  if ('from' in window) return `from ${window.from} until ${window.until}`;
  const days = window.days ? window.days.join(',') : 'daily';
  return `${days} ${window.start}–${window.end} ${window.timeZone}`;
}

function weeklyActive(window: z.output<typeof weeklyMaintenanceWindowSchema>, now: number): number | undefined {
  const { day, minute } = localTime(now, window.timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const startsOn = (weekday: number) => window.days === undefined || window.days.includes(WEEKDAYS[(weekday + 7) % 7]!);
  // Minutes still to go until the end, measured on the local clock (a DST change inside the
  // window moves its end by that hour; windows are coarse enough for that).
  if (end > start) return startsOn(day) && minute >= start && minute < end ? now + (end - minute) * MINUTE - (now % MINUTE) : undefined;
  // Crossing midnight (or a whole day when end === start): started today, or started yesterday.
  if (startsOn(day) && minute >= start) return now + (DAY_MINUTES - minute + end) * MINUTE - (now % MINUTE);
  if (startsOn(day - 1) && minute < end) return now + (end - minute) * MINUTE - (now % MINUTE);
  return undefined;
}

/**
 * The maintenance window in force at `now`, or `undefined`. With several, the one that ends last.
 *
 * @example
 * activeMaintenanceWindow([{ days: ['sat'], start: '22:00', end: '02:00', timeZone: 'UTC' }], Date.parse('2026-12-05T23:00:00Z'));
 * // { window: 'sat 22:00–02:00 UTC', until: Date.parse('2026-12-06T02:00:00Z') }
 */
export function activeMaintenanceWindow(windows: readonly MaintenanceWindow[], now: number): ActiveMaintenanceWindow | undefined {
  let active: ActiveMaintenanceWindow | undefined;
  for (const window of windows) {
    const until = 'from' in window ? (now >= Date.parse(window.from) && now < Date.parse(window.until) ? Date.parse(window.until) : undefined) : weeklyActive(window, now);
    if (until !== undefined && (active === undefined || until > active.until)) active = { window: maintenanceWindowName(window), until };
  }
  return active;
}
