import type { Measured } from '../lib/interleave.js';
import type { RssReport } from '../lib/memory.js';
import { median, percentile } from '../lib/stats.js';
import { formatCount, formatMiB, formatMs, formatRatio, markdownTable } from '../lib/table.js';
import type { SpawnOutcome, StreamOutcome } from './jobs.js';

const BASELINE_SPAWN = 'child_process.spawn';
const BASELINE_READER = 'spawn + split in data handler';

/** Median per-call time of a spawn contender over all its rounds (NaN without samples). */
export function spawnMedian(measured: Measured<SpawnOutcome> | undefined): number {
  return median((measured?.outcomes ?? []).flatMap((outcome) => outcome.samples));
}

/** The table of one spawn scenario; `callsPerSample` is the batch size for batches. */
export function spawnTable(results: Map<string, Measured<SpawnOutcome>>, callsPerSample: number): string {
  const baseline = spawnMedian(results.get(BASELINE_SPAWN));
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const samples = measured.outcomes.flatMap((outcome) => outcome.samples);
    return [
      name,
      formatCount(samples.length * callsPerSample),
      formatMs(median(samples)),
      formatMs(percentile(samples, 0.9)),
      formatRatio(median(samples) / baseline),
      formatMs(median(measured.outcomes.map((outcome) => outcome.cpuMsPerCall))),
      ...rssCells(measured.outcomes.map((outcome) => outcome.rss)),
    ];
  });
  return markdownTable(
    ['tool', 'runs', 'median / call', 'p90 / call', 'vs spawn', 'CPU / call', 'RSS base', 'RSS peak'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** The median throughput of a reader over its rounds, in MB/s (10^6 bytes per second). */
export function readerMedian(measured: Measured<StreamOutcome> | undefined): number {
  return median((measured?.outcomes ?? []).map((outcome) => outcome.count.bytes / 1e3 / outcome.wallMs));
}

/** The table of the streaming scenario. */
export function streamTable(results: Map<string, Measured<StreamOutcome>>): string {
  const baseline = readerMedian(results.get(BASELINE_READER));
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const { outcomes } = measured;
    const speed = readerMedian(measured);
    const lines = outcomes[0]?.count.lines ?? 0;
    return [
      name,
      speed.toFixed(0),
      formatRatio(speed / baseline),
      formatMs(median(outcomes.map((outcome) => outcome.cpuMs))),
      lines === 0 ? '—' : formatCount(lines),
      ...rssCells(outcomes.map((outcome) => outcome.rss)),
      [...new Set(outcomes.map(check))].join(', '),
    ];
  });
  return markdownTable(
    ['reader', 'MB/s', 'vs raw split', 'reader CPU', 'lines', 'RSS base', 'RSS peak', 'check'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
}

/** The most RSS grew above its base in any round of one reader. */
export function rssGrowth(measured: Measured<StreamOutcome> | undefined): number {
  return Math.max(...(measured?.outcomes ?? []).map(({ rss }) => rss.peakBytes - rss.baseBytes));
}

/** Whether a reader saw the whole stream: every byte, and every line if it counts lines. */
function check({ count, expected, wallMs }: StreamOutcome): string {
  if (count.stopped) return `stopped at ${formatMs(wallMs)}`;
  if (count.bytes !== expected.bytes) return `MISMATCH: ${count.bytes} of ${expected.bytes} bytes`;
  if (count.lines !== 0 && count.lines !== expected.lines)
    return `MISMATCH: ${count.lines} of ${expected.lines} lines`;
  return 'ok';
}

/** Median base and highest peak over the rounds; `~` marks sampled (not exact) peaks. */
function rssCells(reports: readonly RssReport[]): string[] {
  const peak = Math.max(...reports.map((report) => report.peakBytes));
  const sampled = reports.some((report) => report.method === 'sampled') ? '~' : '';
  return [formatMiB(median(reports.map((report) => report.baseBytes))), `${sampled}${formatMiB(peak)}`];
}
