const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): Date {
  // Date.UTC maps years 0..99 to 1900..1999, so the year is set separately.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year, month - 1, day);
  return d;
}

/**
 * Parses a strict ISO-8601 instant: `YYYY-MM-DDThh:mm[:ss[.fraction]]` with `Z` or `±hh:mm`, or a plain
 * `YYYY-MM-DD` meaning the start of that day in UTC. Returns undefined for anything else, including
 * impossible dates such as 2024-02-30 (which `Date` would silently roll over). Fractions beyond
 * milliseconds are truncated.
 */
export function parseIsoInstant(s: string): Date | undefined {
  if (typeof s !== 'string' || s.length > 40) return undefined;
  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    return utc(year, month, day, 0, 0, 0, 0);
  }
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // No leap seconds: Date cannot represent them.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const local = utc(year, month, day, hour, minute, second, ms);
  return new Date(local.getTime() - offsetMinutes * 60_000);
}
