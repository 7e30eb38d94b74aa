import { invalidOutput, percentOf, splitLines } from './metrics-numbers.js';
import type { MemoryMetrics } from './metrics-types.js';

/**
 * Parses /proc/meminfo into bytes (its `kB` are KiB). Used memory is total minus available,
 * as `free` counts it; swap used is SwapTotal minus SwapFree. A host without swap has
 * `swapTotalBytes: 0` and `swapUsedPercent: null`.
 *
 * @throws `SRE_DATA_INVALID` without `MemTotal`, or without both `MemAvailable` and `MemFree`.
 *
 * @example
 * ```ts
 * import { parseMeminfo } from 'sre-kit/remote';
 *
 * const memory = parseMeminfo('MemTotal: 4000 kB\nMemFree: 1000 kB\nMemAvailable: 3000 kB\n');
 * memory.usedPercent; // 25
 * memory.swapUsedPercent; // null
 * ```
 */
export function parseMeminfo(text: string): MemoryMetrics {
  const kib = new Map<string, number>();
  for (const line of splitLines(text)) {
    const match = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match) kib.set(match[1]!, Number(match[2]));
  }
  const total = kib.get('MemTotal');
  if (total === undefined || total === 0) throw invalidOutput('/proc/meminfo', 'no MemTotal', text);
  let available = kib.get('MemAvailable');
  const availableEstimated = available === undefined;
  if (available === undefined) {
    const free = kib.get('MemFree');
    if (free === undefined) throw invalidOutput('/proc/meminfo', 'neither MemAvailable nor MemFree', text);
    // What `free` showed as "-/+ buffers/cache" before the kernel computed MemAvailable (3.14).
    available = free + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0) + (kib.get('SReclaimable') ?? 0);
    available = Math.min(available, total);
  }
  const swapTotal = kib.get('SwapTotal') ?? 0;
  const swapUsed = Math.max(0, swapTotal - (kib.get('SwapFree') ?? swapTotal));
  return {
    totalBytes: total * 1024,
    availableBytes: available * 1024,
    availableEstimated,
    usedBytes: (total - available) * 1024,
    usedPercent: percentOf(total - available, total),
    swapTotalBytes: swapTotal * 1024,
    swapUsedBytes: swapUsed * 1024,
    swapUsedPercent: swapTotal === 0 ? null : percentOf(swapUsed, swapTotal),
  };
}
