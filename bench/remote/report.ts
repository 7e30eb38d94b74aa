import type { Measured } from '../lib/interleave.js';
import { median } from '../lib/stats.js';
import { formatMs, formatRatio, markdownTable } from '../lib/table.js';
import { BARE, type ContenderName, type Outcome, PSSH } from './contenders.js';

/** One contender's rounds at one fleet size. */
export type Results = Map<ContenderName, Measured<Outcome & { drops: number; serverCpuMs: number }>>;

/** Median wall time in ms (NaN without runs). */
export function wallMs(results: Results, name: ContenderName): number {
  return median(results.get(name)?.outcomes.map((outcome) => outcome.wallMs) ?? []);
}

/** Median client CPU in ms (NaN without runs). */
export function cpuMs(results: Results, name: ContenderName): number {
  return median(results.get(name)?.outcomes.map((outcome) => outcome.cpuMs) ?? []);
}

/** Hosts ok per round, e.g. `200/200` or `186, 190, 191 /200`. */
export function hostsOk(results: Results, name: ContenderName, hosts: number): string {
  const counts = results.get(name)?.outcomes.map((outcome) => outcome.ok) ?? [];
  if (counts.length === 0) return '—';
  return counts.every((count) => count === counts[0])
    ? `${counts[0]}/${hosts}`
    : `${counts.join(', ')} /${hosts}`;
}

/** Whether every round of a contender had every host ok. */
export function allOk(results: Results, name: ContenderName, hosts: number): boolean {
  const outcomes = results.get(name)?.outcomes ?? [];
  return outcomes.length > 0 && outcomes.every((outcome) => outcome.ok === hosts);
}

const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '—');

/** The side-by-side table at one fleet size. */
export function resultTable(results: Results, hosts: number): string {
  const bare = wallMs(results, BARE);
  const pssh = wallMs(results, PSSH);
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const wall = wallMs(results, name);
    const cpu = cpuMs(results, name);
    return [
      name,
      hostsOk(results, name, hosts),
      seconds(wall),
      seconds(cpu),
      formatMs(cpu / hosts),
      formatMs(median(measured.outcomes.map((outcome) => outcome.serverCpuMs)) / hosts),
      formatRatio(wall / bare),
      formatRatio(pssh / wall),
    ];
  });
  return markdownTable(
    [
      'tool',
      'hosts ok',
      'wall s',
      'client CPU s',
      'CPU / host',
      'sshd CPU / host',
      'wall vs bare ssh2',
      'pssh wall / this',
    ],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** The default-MaxStartups table: hosts each tool got, and what sshd dropped meanwhile. */
export function maxStartupsTable(results: Results, hosts: number): string {
  const rows = [...results].map(([name, measured]) => {
    if (measured.error !== undefined) return [name, 'failed', measured.error];
    const drops = measured.outcomes.map((outcome) => outcome.drops);
    return [name, hostsOk(results, name, hosts), seconds(wallMs(results, name)), drops.join(', ')];
  });
  return markdownTable(
    ['tool', 'hosts ok (each run)', 'wall s', 'connections sshd dropped (each run)'],
    rows,
    ['left', 'right', 'right', 'right'],
  );
}

/** Client CPU per extra host between two fleet sizes: start-up costs cancel out. */
export function marginalCpuTable(small: Results, big: Results, smallHosts: number, bigHosts: number): string {
  const rows = [...big.keys()].map((name) => {
    const extra = (cpuMs(big, name) - cpuMs(small, name)) / (bigHosts - smallHosts);
    return [name, formatMs(extra)];
  });
  return markdownTable(['tool', `client CPU per host, N=${smallHosts} → ${bigHosts}`], rows, [
    'left',
    'right',
  ]);
}
