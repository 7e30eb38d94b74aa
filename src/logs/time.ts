const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function digits(b: Uint8Array, p: number, n: number): number {
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = b[p + i];
    if (c === undefined || c < 0x30 || c > 0x39) return -1;
    value = value * 10 + c - 0x30;
  }
  return value;
}

/**
 * The timestamp at the start of a text line, in ms since the epoch, or NaN. Understood:
 * ISO 8601 (`2024-03-01T12:00:00.123Z`, a space for the T, `,mmm` fractions, offsets),
 * `2024/03/01 12:00:00` (nginx), and syslog's `Mar  1 12:34:56` (in `year`). It may follow
 * a syslog `<PRI>` or a `[`. A time without a zone is UTC.
 */
export function parseLineTime(b: Uint8Array, start: number, end: number, year: number): number {
  let p = start;
  if (b[p] === 0x3c) {
    const close = b.indexOf(0x3e, p);
    if (close !== -1 && close - p <= 4) p = close + 1;
  }
  if (b[p] === 0x5b) p++;
  if (end - p < 15) return Number.NaN;
  const y = digits(b, p, 4);
  if (y !== -1 && (b[p + 4] === 0x2d || b[p + 4] === 0x2f) && b[p + 7] === b[p + 4]) {
    const month = digits(b, p + 5, 2);
    const day = digits(b, p + 8, 2);
    const sep = b[p + 10];
    if (sep !== 0x54 && sep !== 0x20) return Number.NaN;
    return clock(b, p + 11, end, Date.UTC(y, month - 1, day));
  }
  const monthName = Buffer.from(b.buffer, b.byteOffset + p, 3).toString('latin1');
  const month = MONTHS.indexOf(monthName);
  if (month !== -1 && b[p + 3] === 0x20) {
    const day = b[p + 4] === 0x20 ? digits(b, p + 5, 1) : digits(b, p + 4, 2);
    if (day === -1 || b[p + 6] !== 0x20) return Number.NaN;
    return clock(b, p + 7, end, Date.UTC(year, month, day));
  }
  return Number.NaN;
}

/** `HH:MM:SS[.fff|,fff][Z|±HH:MM|±HHMM]` at `p`, added to the day's start. */
function clock(b: Uint8Array, p: number, end: number, day: number): number {
  const h = digits(b, p, 2);
  const m = digits(b, p + 3, 2);
  const s = digits(b, p + 6, 2);
  if (h === -1 || m === -1 || s === -1 || b[p + 2] !== 0x3a || b[p + 5] !== 0x3a || Number.isNaN(day))
    return Number.NaN;
  let time = day + ((h * 60 + m) * 60 + s) * 1000;
  p += 8;
  if (b[p] === 0x2e || b[p] === 0x2c) {
    let scale = 100;
    for (p++; p < end && b[p]! >= 0x30 && b[p]! <= 0x39; p++) {
      time += (b[p]! - 0x30) * scale;
      scale /= 10;
    }
    time = Math.floor(time);
  }
  if (b[p] === 0x2b || b[p] === 0x2d) {
    const oh = digits(b, p + 1, 2);
    const om = b[p + 3] === 0x3a ? digits(b, p + 4, 2) : digits(b, p + 3, 2);
    if (oh !== -1 && om !== -1) time -= (b[p] === 0x2b ? 1 : -1) * (oh * 60 + om) * 60_000;
  }
  return time;
}

/** A JSON time value: epoch milliseconds (or seconds, when below 1e11) or an ISO string. */
export function parseJsonTime(raw: string): number {
  const text = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const number = Number(text);
    return Math.abs(number) < 1e11 ? number * 1000 : number;
  }
  const encoded = Buffer.from(text, 'latin1');
  return parseLineTime(encoded, 0, encoded.length, new Date().getUTCFullYear());
}

/** A `since` / `until` option as ms, with a clear error for a bad value. */
export function toTime(value: Date | string | number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(time)) throw new TypeError(`option "${name}" is not a valid date: ${String(value)}`);
  return time;
}
