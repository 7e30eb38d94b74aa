import type { Measured } from '../lib/interleave.js';
import { median } from '../lib/stats.js';
import { formatCount, formatMs, formatRatio, markdownTable } from '../lib/table.js';
import { BASELINE, CONTENDERS, type ContenderName } from './contenders.js';
import type { DropOutcome, RestartOutcome } from './jobs.js';

/** Median files/s of a contender over its rounds (NaN without outcomes). */
export function throughput(measured: Measured<DropOutcome> | undefined): number {
  return median((measured?.outcomes ?? []).map((outcome) => (outcome.calls * 1000) / outcome.wallMs));
}

/** Median over rounds of a latency percentile. */
export function latency(measured: Measured<DropOutcome> | undefined, key: 'p50' | 'p99' | 'max'): number {
  return median((measured?.outcomes ?? []).map((outcome) => outcome.latency[key]));
}

export function dropTable(results: Map<ContenderName, Measured<DropOutcome>>, files: number): string {
  const baseline = throughput(results.get(BASELINE));
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const { outcomes } = measured;
    const once = outcomes.every((outcome) => outcome.calls === files && outcome.distinct === files);
    const check = outcomes.some((outcome) => outcome.timedOut)
      ? 'TIMED OUT'
      : once
        ? 'each once'
        : `MISMATCH: ${outcomes.map((outcome) => `${outcome.calls} calls / ${outcome.distinct} files`).join(', ')}`;
    return [
      name,
      check,
      formatMs(median(outcomes.map((outcome) => outcome.wallMs))),
      throughput(measured).toFixed(0),
      formatRatio(throughput(measured) / baseline),
      formatMs(latency(measured, 'p50')),
      formatMs(latency(measured, 'p99')),
      formatMs(latency(measured, 'max')),
      formatMs(median(outcomes.map((outcome) => outcome.cpuMsPerFile))),
      CONTENDERS[name].durable ? 'yes' : 'no',
    ];
  });
  return markdownTable(
    [
      'watcher',
      'handled',
      'wall',
      'files/s',
      'vs textbook',
      'latency p50',
      'latency p99',
      'latency max',
      'CPU / file',
      'survives restart',
    ],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
}

export function restartTable(results: Map<ContenderName, Measured<RestartOutcome>>, entries: number): string {
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const durable = CONTENDERS[name].durable;
    return [
      name,
      durable ? formatCount(entries) : '—',
      formatMs(median(measured.outcomes.map((outcome) => outcome.readyMs))),
      durable ? 'every file handled before' : 'nothing: after a restart it handles every file again, or none',
    ];
  });
  return markdownTable(['watcher', 'ledger entries', 'ready after', 'remembers'], rows, [
    'left',
    'right',
    'right',
    'left',
  ]);
}

/** The restart time of a contender: median over its rounds. */
export function readyMs(measured: Measured<RestartOutcome> | undefined): number {
  return median((measured?.outcomes ?? []).map((outcome) => outcome.readyMs));
}
