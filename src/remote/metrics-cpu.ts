import { invalidOutput, percentOf, splitLines } from './metrics-numbers.js';
import type { CpuMetrics } from './metrics-types.js';

/**
 * The aggregate `cpu` line of one /proc/stat sample, in clock ticks since boot. Columns a
 * kernel does not have are `null`: iowait, irq and softirq arrived in 2.5.41, steal in
 * 2.6.11, guest in 2.6.24, guest_nice in 2.6.33.
 */
export interface CpuSample {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number | null;
  readonly irq: number | null;
  readonly softirq: number | null;
  readonly steal: number | null;
  readonly guest: number | null;
  readonly guestNice: number | null;
  /** Logical CPUs: the `cpuN` lines. */
  readonly count: number;
}

type Counter = Exclude<keyof CpuSample, 'count'>;

/**
 * Parses one sample of /proc/stat: the aggregate `cpu` line and the number of `cpuN` lines.
 *
 * @throws `SRE_DATA_INVALID` when there is no `cpu` line of at least four numbers.
 *
 * @example
 * ```ts
 * import { parseProcStat } from 'sre-kit/remote';
 *
 * const sample = parseProcStat('cpu  4705 356 584 3699 23 23 0 0 0 0\ncpu0 4705 356 584 3699 23 23 0 0 0 0\n');
 * sample.idle; // 3699
 * sample.count; // 1
 * ```
 */
export function parseProcStat(text: string): CpuSample {
  let values: number[] | undefined;
  let count = 0;
  for (const line of splitLines(text)) {
    if (/^cpu\d+\s/.test(line)) count++;
    else if (values === undefined && /^cpu\s/.test(line)) {
      const words = line.trim().split(/\s+/).slice(1);
      if (words.length < 4 || !words.every((word) => /^\d+$/.test(word))) {
        throw invalidOutput('/proc/stat', 'the cpu line needs at least four counters', line);
      }
      values = words.map(Number);
    }
  }
  if (values === undefined) throw invalidOutput('/proc/stat', 'no aggregate cpu line', text);
  const at = (index: number): number | null => values[index] ?? null;
  return {
    user: values[0]!,
    nice: values[1]!,
    system: values[2]!,
    idle: values[3]!,
    iowait: at(4),
    irq: at(5),
    softirq: at(6),
    steal: at(7),
    guest: at(8),
    guestNice: at(9),
    count,
  };
}

/**
 * CPU use between two /proc/stat samples of the same host, in percent. guest and guest_nice
 * are already counted in user and nice, so they are not added again. A counter that went
 * backwards (iowait does on some NO_HZ kernels) counts as 0.
 *
 * @throws `SRE_DATA_INVALID` when no CPU time passed between the samples.
 *
 * @example
 * ```ts
 * import { computeCpuUsage, parseProcStat } from 'sre-kit/remote';
 *
 * const before = parseProcStat('cpu  100 0 50 800 10 0 0 0 0 0\n');
 * const after = parseProcStat('cpu  130 0 60 850 20 0 0 0 0 0\n');
 * computeCpuUsage(before, after).percent; // 40
 * ```
 */
export function computeCpuUsage(before: CpuSample, after: CpuSample): CpuMetrics {
  const delta = (field: Counter): number => {
    const a = before[field];
    const b = after[field];
    return a === null || b === null ? 0 : Math.max(0, b - a);
  };
  const user = delta('user') + delta('nice');
  const system = delta('system') + delta('irq') + delta('softirq');
  const idle = delta('idle');
  const iowait = delta('iowait');
  const steal = delta('steal');
  const total = user + system + idle + iowait + steal;
  if (total === 0) {
    throw invalidOutput('/proc/stat', 'no CPU time passed between the two samples');
  }
  return {
    percent: percentOf(total - idle - iowait, total),
    user: percentOf(user, total),
    system: percentOf(system, total),
    iowait: after.iowait === null ? null : percentOf(iowait, total),
    steal: after.steal === null ? null : percentOf(steal, total),
    idle: percentOf(idle, total),
    count: after.count,
  };
}
