import { invalidOutput, splitLines } from './metrics-numbers.js';
import type { LoadMetrics, OsMetrics, UptimeMetrics } from './metrics-types.js';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

/**
 * Parses /proc/loadavg: the 1, 5 and 15 minute load averages and the running/total
 * scheduling entities.
 *
 * @throws `SRE_DATA_INVALID` when the line is not in that form.
 *
 * @example
 * ```ts
 * import { parseLoadavg } from 'sre-kit/remote';
 *
 * parseLoadavg('0.52 0.58 0.59 2/1234 98765\n'); // { load1: 0.52, load5: 0.58, load15: 0.59, running: 2, total: 1234 }
 * ```
 */
export function parseLoadavg(text: string): LoadMetrics {
  const match = new RegExp(String.raw`^\s*${NUMBER}\s+${NUMBER}\s+${NUMBER}\s+(\d+)/(\d+)(?:\s|$)`).exec(
    text,
  );
  if (!match) throw invalidOutput('/proc/loadavg', 'expected "1m 5m 15m running/total"', text);
  return {
    load1: Number(match[1]),
    load5: Number(match[2]),
    load15: Number(match[3]),
    running: Number(match[4]),
    total: Number(match[5]),
  };
}

/**
 * Parses /proc/uptime: seconds since boot and idle seconds summed over all CPUs; and, when
 * given, the `btime` line of /proc/stat (seconds since the epoch) as the boot time.
 *
 * @param btime the `btime <seconds>` line of /proc/stat; without it, `bootTime` is `null`.
 * @throws `SRE_DATA_INVALID` when the uptime line is not two numbers, or `btime` is given
 *   and is not `btime` and a whole number.
 *
 * @example
 * ```ts
 * import { parseUptime } from 'sre-kit/remote';
 *
 * parseUptime('350735.47 234388.90\n', 'btime 1764818661\n');
 * // { seconds: 350735.47, idleSeconds: 234388.9, bootTime: '2025-12-04T03:24:21.000Z' }
 * ```
 */
export function parseUptime(text: string, btime = ''): UptimeMetrics {
  const match = new RegExp(String.raw`^\s*${NUMBER}\s+${NUMBER}\s*$`).exec(text);
  if (!match) throw invalidOutput('/proc/uptime', 'expected two numbers', text);
  let bootTime: string | null = null;
  if (btime.trim() !== '') {
    const boot = /^\s*btime\s+(\d{1,12})\s*$/.exec(btime);
    if (!boot) throw invalidOutput('the btime line of /proc/stat', 'expected "btime <seconds>"', btime);
    bootTime = new Date(Number(boot[1]) * 1000).toISOString();
  }
  return { seconds: Number(match[1]), idleSeconds: Number(match[2]), bootTime };
}

/**
 * Parses /etc/os-release (shell-style `KEY=value`, values optionally quoted) and the output
 * of `uname -sr`. On hosts older than os-release, pass the text of /etc/redhat-release
 * (`CentOS release 6.10 (Final)`) instead: its one line becomes the name and the version.
 *
 * @throws `SRE_DATA_INVALID` when `uname` is not `<kernel name> <release>`.
 *
 * @example
 * ```ts
 * import { parseOsRelease } from 'sre-kit/remote';
 *
 * const os = parseOsRelease('NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n', 'Linux 5.15.0-91-generic\n');
 * os.version; // '22.04'
 * os.kernelRelease; // '5.15.0-91-generic'
 * ```
 */
export function parseOsRelease(osRelease: string, uname: string): OsMetrics {
  const kernel = /^\s*(\S+)\s+(\S+)\s*$/.exec(uname);
  if (!kernel) throw invalidOutput('uname -sr output', 'expected "<kernel name> <release>"', uname);
  const fields = new Map<string, string>();
  for (const line of splitLines(osRelease)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) fields.set(match[1]!, unquote(match[2]!.trim()));
  }
  const legacy = fields.size === 0 ? splitLines(osRelease).find((line) => line.trim() !== '') : undefined;
  if (legacy !== undefined) {
    // /etc/redhat-release: `Red Hat Enterprise Linux Server release 5.11 (Tikanga)`.
    const line = legacy.trim().slice(0, 200);
    const match = /^(.*?)\s+release\s+(\S+)/.exec(line);
    return {
      name: match ? match[1]! : line,
      id: null,
      version: match ? match[2]! : null,
      prettyName: line,
      kernelName: kernel[1]!,
      kernelRelease: kernel[2]!,
    };
  }
  const get = (key: string): string | null => {
    const value = fields.get(key);
    return value === undefined || value === '' ? null : value;
  };
  return {
    name: get('NAME'),
    id: get('ID'),
    version: get('VERSION_ID') ?? get('VERSION'),
    prettyName: get('PRETTY_NAME'),
    kernelName: kernel[1]!,
    kernelRelease: kernel[2]!,
  };
}

/** os-release values follow shell quoting: `"…"` with `\` escapes, `'…'` literal, or bare. */
function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}
