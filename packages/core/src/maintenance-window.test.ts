import { describe, expect, it } from 'vitest';
import { activeMaintenanceWindow, maintenanceWindowSchema, type MaintenanceWindowInput } from './maintenance-window.js';

const at = (iso: string) => Date.parse(iso);
const windows = (...inputs: MaintenanceWindowInput[]) => inputs.map((input) => maintenanceWindowSchema.parse(input));

describe('activeMaintenanceWindow', () => {
  it('a weekly window inside one day: in force from start to end on its days only', () => {
    const tuesdays = windows({ days: ['tue'], start: '09:00', end: '10:30' });
    expect(activeMaintenanceWindow(tuesdays, at('2026-12-08T08:59:00Z'))).toBeUndefined(); // a Tuesday
    expect(activeMaintenanceWindow(tuesdays, at('2026-12-08T09:00:00Z'))).toEqual({ window: 'tue 09:00–10:30 UTC', until: at('2026-12-08T10:30:00Z') });
    expect(activeMaintenanceWindow(tuesdays, at('2026-12-08T10:29:30Z'))?.until).toBe(at('2026-12-08T10:30:00Z'));
    expect(activeMaintenanceWindow(tuesdays, at('2026-12-08T10:30:00Z'))).toBeUndefined();
    expect(activeMaintenanceWindow(tuesdays, at('2026-12-09T09:30:00Z'))).toBeUndefined(); // Wednesday
  });

  it('a window across midnight belongs to the day it starts on', () => {
    const saturdayNights = windows({ name: 'saturday nights', days: ['sat'], start: '22:00', end: '02:00' });
    expect(activeMaintenanceWindow(saturdayNights, at('2026-12-05T23:00:00Z'))).toEqual({ window: 'saturday nights', until: at('2026-12-06T02:00:00Z') });
    expect(activeMaintenanceWindow(saturdayNights, at('2026-12-06T01:59:00Z'))?.until).toBe(at('2026-12-06T02:00:00Z')); // Sunday morning
    expect(activeMaintenanceWindow(saturdayNights, at('2026-12-06T23:00:00Z'))).toBeUndefined(); // Sunday night
    expect(activeMaintenanceWindow(saturdayNights, at('2026-12-05T01:00:00Z'))).toBeUndefined(); // Saturday morning: Friday's night
  });

  it('reads days and times in the window’s time zone', () => {
    // 22:00 in Berlin on a Saturday in winter is 21:00 UTC.
    const berlin = windows({ days: ['sat'], start: '22:00', end: '23:00', timeZone: 'Europe/Berlin' });
    expect(activeMaintenanceWindow(berlin, at('2026-12-05T21:30:00Z'))?.until).toBe(at('2026-12-05T22:00:00Z'));
    expect(activeMaintenanceWindow(berlin, at('2026-12-05T22:30:00Z'))).toBeUndefined();
  });

  it('every day without days; a one-off window between from and until', () => {
    const both = windows({ start: '03:00', end: '04:00' }, { name: 'migration', from: '2026-12-24T18:00:00Z', until: '2026-12-25T06:00:00Z' });
    expect(activeMaintenanceWindow(both, at('2026-12-10T03:10:00Z'))?.window).toBe('daily 03:00–04:00 UTC');
    expect(activeMaintenanceWindow(both, at('2026-12-24T20:00:00Z'))).toEqual({ window: 'migration', until: at('2026-12-25T06:00:00Z') });
    expect(activeMaintenanceWindow(both, at('2026-12-25T06:00:00Z'))).toBeUndefined();
  });

  it('of two in force, the one that ends last', () => {
    const two = windows({ name: 'short', start: '03:00', end: '04:00' }, { name: 'long', start: '02:00', end: '06:00' });
    expect(activeMaintenanceWindow(two, at('2026-12-10T03:10:00Z'))?.window).toBe('long');
  });
});

describe('maintenanceWindowSchema', () => {
  it('names what is wrong', () => {
    const issues = (input: unknown) => maintenanceWindowSchema.safeParse(input).error?.issues.map((issue) => issue.message);
    expect(issues({ start: '25:00', end: '02:00' })?.join()).toMatch(/must be a time of day HH:MM \(24 h\)/);
    expect(issues({ every: 'sunday' })?.join()).toMatch(/weekly window .* or a one-off window/);
    expect(maintenanceWindowSchema.safeParse({ days: ['saturday'], start: '22:00', end: '02:00' }).success).toBe(false);
    expect(maintenanceWindowSchema.safeParse({ start: '22:00', end: '02:00', timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(maintenanceWindowSchema.safeParse({ from: '2026-12-25T06:00:00Z', until: '2026-12-24T18:00:00Z' }).success).toBe(false);
    expect(maintenanceWindowSchema.safeParse({ from: '2026-12-24T18:00:00Z', until: '2026-12-25T06:00:00Z' }).success).toBe(true);
  });
});
