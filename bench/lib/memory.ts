import { readFileSync, writeFileSync } from 'node:fs';

/** Resident memory of this process over one measured phase, in bytes. */
export interface RssReport {
  /** RSS when the phase started: what was loaded before it (runtime, libraries). */
  baseBytes: number;
  /** Highest RSS during the phase. */
  peakBytes: number;
  /** `VmHWM`: the kernel's exact high-water mark; `sampled`: the highest of periodic samples. */
  method: 'VmHWM' | 'sampled';
}

/** A running RSS measurement; `stop()` ends it and reports. */
export interface RssMeter {
  stop(): RssReport;
}

/**
 * Starts measuring this process's peak RSS. On Linux the kernel's high-water mark is reset
 * first (`/proc/self/clear_refs`, Linux >= 4.0) and read at the end, which catches peaks
 * that sampling would miss. RSS is also sampled every `intervalMs`, which is all there is
 * elsewhere. Measure in a process of its own: the numbers cover everything the process does.
 */
export function startRssMeter(intervalMs = 50): RssMeter {
  const baseBytes = process.memoryUsage.rss();
  const exact = resetHighWaterMark();
  let sampledPeak = baseBytes;
  const timer = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
      const hwm = exact ? readHighWaterMark() : undefined;
      return hwm === undefined
        ? { baseBytes, peakBytes: sampledPeak, method: 'sampled' }
        : { baseBytes, peakBytes: Math.max(hwm, sampledPeak), method: 'VmHWM' };
    },
  };
}

function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return readHighWaterMark() !== undefined;
  } catch {
    return false;
  }
}

function readHighWaterMark(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
