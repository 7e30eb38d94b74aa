import { LEVELS } from 'sre-kit/logs';
import type { LogTruth } from '../../test/fixtures/logs/generate.js';
import type { Measured } from '../lib/interleave.js';
import { median } from '../lib/stats.js';
import { formatCount, formatMiB, formatMs, formatRatio, markdownTable } from '../lib/table.js';
import { NODE_GUNZIP, RIPGREP_PER_LEVEL, SRE_KIT, SRE_KIT_PARALLEL, TEXTBOOK_PYTHON } from './contenders.js';
import type { Outcome } from './outcome.js';
import type { Contender, Input } from './runners.js';

/** One contender's rounds on one input. */
export interface Row {
  contender: Contender;
  input: Input;
  /** The truth of the file it counted: the small one where a tool is too slow, in full mode. */
  truth: LogTruth;
  /** Size of the big file / size of the file counted: above 1 when the time is scaled. */
  scale: number;
  /** `null`: a round skipped (a slow tool runs once, an absent option is not retried). */
  measured: Measured<Outcome | null>;
}

function outcomes(row: Row | undefined): Outcome[] {
  return (row?.measured.outcomes ?? []).filter((outcome): outcome is Outcome => outcome !== null);
}

/** Median throughput in MB/s (10^6 bytes per second of uncompressed log). */
export function speed(row: Row | undefined): number {
  const all = outcomes(row);
  return all.length === 0 ? Number.NaN : all[0]!.bytes / median(all.map((outcome) => outcome.ms)) / 1e3;
}

/** Why a row has no figures, or undefined when it has. */
function missing(row: Row, parallelExists: boolean): string | undefined {
  if (row.contender.name === SRE_KIT_PARALLEL && !parallelExists)
    return 'n/a: countLevels has no `parallel` option yet (no worker thread started)';
  if (row.measured.error !== undefined) return `skipped: ${row.measured.error}`;
  if (outcomes(row).length === 0) return 'skipped';
  return undefined;
}

/** Whether countLevels with `parallel: true` started worker threads on the plain file. */
export function parallelExists(plain: readonly Row[]): boolean {
  const row = plain.find((each) => each.contender.name === SRE_KIT_PARALLEL);
  return outcomes(row).some((outcome) => (outcome.workersStarted ?? 0) > 0);
}

/** How one outcome's counts compare with the truth. */
function verdict(outcome: Outcome, truth: LogTruth): { exact: boolean; text: string } {
  if (outcome.levels === undefined) return { exact: false, text: '—' };
  const diffs = LEVELS.map((level) => outcome.levels![level] - truth.levels[level]);
  const off = diffs.reduce((sum, diff) => sum + Math.abs(diff), 0);
  const wrongLevels = LEVELS.filter((_, index) => diffs[index] !== 0);
  const { rest } = outcome;
  const restWrong =
    rest !== undefined &&
    (rest.lines !== truth.lines ||
      rest.unmatchedLines !== truth.unmatchedLines ||
      JSON.stringify(sortKeys(rest.unrecognized)) !== JSON.stringify(sortKeys(truth.unrecognized)));
  if (off === 0 && !restWrong)
    return { exact: true, text: rest === undefined ? 'exact' : 'exact (all fields)' };
  const total = LEVELS.reduce((sum, level) => sum + truth.levels[level], 0);
  const parts = [];
  if (off > 0)
    parts.push(
      `off by ${formatCount(off)} (${((off / total) * 100).toFixed(1)}%), ${wrongLevels.length} of ${LEVELS.length} levels`,
    );
  if (restWrong) parts.push('lines/unmatched/unrecognized differ');
  return { exact: false, text: `NO: ${parts.join('; ')}` };
}

function sortKeys(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Exact in every round: a count that varies between rounds is not exact. */
export function isExact(row: Row | undefined): boolean {
  const all = outcomes(row);
  return all.length > 0 && all.every((outcome) => verdict(outcome, row!.truth).exact);
}

function countsCell(row: Row): string {
  return [...new Set(outcomes(row).map((outcome) => verdict(outcome, row.truth).text))].join(' / ');
}

/** Peak RSS over all rounds; for Node rows also what the count added over the process's base. */
function rssCell(row: Row): string {
  const all = outcomes(row);
  const peak = Math.max(...all.map((outcome) => outcome.peakBytes));
  const bases = all.map((outcome) => outcome.baseBytes).filter((base): base is number => base !== undefined);
  if (bases.length === 0) return formatMiB(peak);
  const growth = Math.max(...all.map((outcome) => outcome.peakBytes - (outcome.baseBytes ?? 0)));
  return `${formatMiB(peak)} (+${formatMiB(growth)})‡`;
}

/** The results on one input, with ratios to ripgrep (one pass per level) and to the textbook script. */
export function resultTable(rows: readonly Row[], bigBytes: number, parallel: boolean): string {
  const ripgrep = speed(rows.find((row) => row.contender.name === RIPGREP_PER_LEVEL));
  const textbook = speed(rows.find((row) => row.contender.name === TEXTBOOK_PYTHON));
  const body = rows.map((row) => {
    const label = row.contender.label(row.input);
    const why = missing(row, parallel);
    if (why !== undefined) return [label, '—', '—', '—', '—', why, '—', '—'];
    const all = outcomes(row);
    const ms = median(all.map((outcome) => outcome.ms));
    const mbps = speed(row);
    const workers = Math.max(...all.map((outcome) => outcome.workersStarted ?? 0));
    return [
      `${label}${workers > 0 ? ` (${workers} worker threads)` : row.contender.name === SRE_KIT_PARALLEL ? ' (ran on one thread)' : ''}`,
      String(all.length),
      row.scale > 1 ? `≈ ${formatMs(ms * row.scale)}†` : formatMs(ms),
      mbps.toFixed(0),
      rssCell(row),
      countsCell(row),
      formatRatio(mbps / ripgrep),
      formatRatio(mbps / textbook),
    ];
  });
  return markdownTable(
    [
      'tool',
      'runs',
      `time for ${formatMiB(bigBytes)}`,
      'MB/s',
      'peak RSS',
      'counts vs truth',
      'vs rg per level',
      'vs textbook',
    ],
    body,
    ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
  );
}

/** Per level, how far each tool's count is from the truth (in % of the true count). */
export function accuracyTable(rows: readonly Row[], truth: LogTruth, parallel: boolean): string {
  const percent = (diff: number, of: number) =>
    diff === 0
      ? '0'
      : of === 0
        ? `+${formatCount(diff)}`
        : `${diff > 0 ? '+' : ''}${((diff / of) * 100).toFixed(1)}%`;
  const body = [['truth (lines)', ...LEVELS.map((level) => formatCount(truth.levels[level])), '', '']];
  for (const row of rows) {
    const outcome = outcomes(row)[0];
    if (outcome?.levels === undefined || missing(row, parallel) !== undefined) continue;
    const diffs = LEVELS.map((level) => outcome.levels![level] - row.truth.levels[level]);
    const off = diffs.reduce((sum, diff) => sum + Math.abs(diff), 0);
    const total = LEVELS.reduce((sum, level) => sum + row.truth.levels[level], 0);
    body.push([
      `${row.contender.label(row.input)}${row.scale > 1 ? '†' : ''}`,
      ...LEVELS.map((level, index) => percent(diffs[index]!, row.truth.levels[level])),
      formatCount(off),
      `${((off / total) * 100).toFixed(2)}%`,
    ]);
  }
  return markdownTable(['tool', ...LEVELS, 'Σ|Δ| lines', 'Σ|Δ| %'], body, [
    'left',
    ...LEVELS.map(() => 'right' as const),
    'right',
    'right',
  ]);
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const gbps = (mbps: number) => (Number.isFinite(mbps) ? `${(mbps / 1000).toFixed(2)} GB/s` : 'n/a');

/** The goals of issue 6, each with the figure measured in this run and whether it is met. */
export function goals(plain: readonly Row[], gzip: readonly Row[], tsx: boolean): string {
  const find = (rows: readonly Row[], name: string) => rows.find((row) => row.contender.name === name);
  const parallel = parallelExists(plain);
  const one = find(plain, SRE_KIT);
  const many = parallel ? find(plain, SRE_KIT_PARALLEL) : undefined;
  const oneSpeed = speed(one);
  const manySpeed = speed(many);
  const best = Math.max(oneSpeed, Number.isFinite(manySpeed) ? manySpeed : 0);
  const ripgrep = speed(find(plain, RIPGREP_PER_LEVEL));
  const textbook = speed(find(plain, TEXTBOOK_PYTHON));
  const sreKitRows = [...plain, ...gzip].filter(
    (row) => row.contender.role === 'sre-kit' && (parallel || row.contender.name !== SRE_KIT_PARALLEL),
  );
  const peaks = sreKitRows.flatMap((row) => outcomes(row));
  const peak = Math.max(...peaks.map((outcome) => outcome.peakBytes));
  const base = Math.min(...peaks.map((outcome) => outcome.baseBytes ?? Number.POSITIVE_INFINITY));
  const gzipOne = speed(find(gzip, SRE_KIT));
  const gunzip = speed(find(gzip, NODE_GUNZIP));
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  return [
    'Goals (issue 6; MB = 10^6 bytes):',
    `- exact counts at >= 1.2 GB/s on one thread: ${gbps(oneSpeed)}, ${isExact(one) ? 'exact' : 'NOT exact'} -> ${met(oneSpeed >= 1200 && isExact(one))}`,
    `- >= 1.8 GB/s with parallel: ${parallel ? `${gbps(manySpeed)}, ${isExact(many) ? 'exact' : 'NOT exact'} -> ${met(manySpeed >= 1800 && isExact(many))}` : 'n/a (countLevels has no `parallel` option yet)'}`,
    `- more than 3x ripgrep (one pass per level, ${gbps(ripgrep)}): ${formatRatio(oneSpeed / ripgrep)} on one thread${parallel ? `, ${formatRatio(manySpeed / ripgrep)} parallel` : ''} -> ${met(best / ripgrep > 3)}`,
    `- more than 25x the textbook script (${gbps(textbook)}): ${formatRatio(oneSpeed / textbook)} on one thread${parallel ? `, ${formatRatio(manySpeed / textbook)} parallel` : ''} -> ${met(best / textbook > 25)}`,
    `- peak RSS under 100 MB: ${mb(peak)} at most over every sre-kit run, plain and gzip (whole process; Node${tsx ? ' + tsx' : ''} alone was ${mb(base)} before counting) -> ${met(peak < 100e6)}`,
    `- gzip at >= 85% of Node's own gunzip (${gbps(gunzip)}): ${gbps(gzipOne)} = ${((gzipOne / gunzip) * 100).toFixed(0)}% -> ${met(gzipOne / gunzip >= 0.85 && isExact(find(gzip, SRE_KIT)))}`,
  ].join('\n');
}
