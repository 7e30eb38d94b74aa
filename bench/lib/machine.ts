import { cpus, loadavg } from 'node:os';

/**
 * One line saying where and how a benchmark ran. The load average matters: absolute
 * numbers from a busy machine are not comparable, ratios from one run mostly are.
 */
export function describeMachine(quick: boolean): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `node ${process.version} · ${process.platform} ${process.arch} · ${cores.length} × ${model} · load ${load} · ${quick ? 'quick mode' : 'full mode'}`;
}
