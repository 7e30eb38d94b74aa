import type { HostMetrics, MetricName } from './metrics-types.js';
import type { HostResult } from './types.js';

type Cell = string | number | boolean | null | undefined;

/** The columns of each metric, in the order the CSV shows them. */
const METRIC_COLUMNS = {
  cpu: ['percent', 'user', 'system', 'iowait', 'steal', 'idle', 'count'],
  memory: [
    'usedPercent',
    'totalBytes',
    'availableBytes',
    'usedBytes',
    'availableEstimated',
    'swapTotalBytes',
    'swapUsedBytes',
    'swapUsedPercent',
  ],
  load: ['load1', 'load5', 'load15', 'running', 'total'],
  uptime: ['seconds', 'idleSeconds'],
  os: ['name', 'id', 'version', 'prettyName', 'kernelName', 'kernelRelease'],
} as const satisfies Partial<Record<MetricName, readonly string[]>>;
const DISK_COLUMNS = ['filesystem', 'sizeBytes', 'usedBytes', 'availableBytes', 'usePercent'] as const;
const DEFAULT_DISK_COLUMNS = ['usePercent', 'availableBytes'] as const;
const COMMAND_COLUMNS = ['exitCode', 'durationMs', 'stdout', 'stderr'] as const;
const BASE_COLUMNS = ['host', 'ok', 'startedAt', 'durationMs', 'error.code', 'error.message'] as const;

/**
 * Every cell of one result by column name: `cpu.percent`, `disk./var.usePercent`,
 * `commands.uptime.exitCode`, `metrics.errors` (each failed metric as `name: message`)…
 */
export function flattenResult(result: HostResult): Map<string, Cell> {
  const cells = new Map<string, Cell>([
    ['host', result.host],
    ['ok', result.ok],
    ['startedAt', result.startedAt],
    ['durationMs', result.durationMs],
    ['error.code', result.error?.code],
    ['error.message', result.error?.message],
  ]);
  const metrics: HostMetrics = result.metrics ?? {};
  for (const [metric, columns] of Object.entries(METRIC_COLUMNS)) {
    const values = metrics[metric as keyof typeof METRIC_COLUMNS] as Record<string, Cell> | undefined;
    if (values === undefined) continue;
    for (const column of columns) cells.set(`${metric}.${column}`, values[column]);
  }
  for (const disk of metrics.disk ?? []) {
    for (const column of DISK_COLUMNS) cells.set(`disk.${disk.mountPoint}.${column}`, disk[column]);
  }
  for (const [name, command] of Object.entries(result.commands ?? {})) {
    for (const column of COMMAND_COLUMNS) cells.set(`commands.${name}.${column}`, command[column]);
  }
  const errors = Object.entries(metrics.errors ?? {});
  if (errors.length > 0) cells.set('metrics.errors', errors.map(([, error]) => error.message).join('; '));
  return cells;
}

/** What decides the default columns; see {@link CsvOptions}. */
export interface ColumnChoice {
  readonly mounts: readonly string[] | 'all';
  readonly commands: readonly string[] | undefined;
}

/**
 * The default columns for these results: the base columns, each metric that any of them
 * has (or failed), the disk columns of the chosen mounts, and each command's exit code.
 */
export function inferColumns(results: readonly HostResult[], choice: ColumnChoice): string[] {
  const columns: string[] = [...BASE_COLUMNS];
  const has = (metric: MetricName) =>
    results.some(
      (result) => result.metrics?.[metric] !== undefined || result.metrics?.errors?.[metric] !== undefined,
    );
  for (const [metric, names] of Object.entries(METRIC_COLUMNS)) {
    if (has(metric as MetricName)) columns.push(...names.map((name) => `${metric}.${name}`));
  }
  if (has('disk')) {
    const mounts =
      choice.mounts === 'all'
        ? [
            ...new Set(
              results.flatMap((result) => (result.metrics?.disk ?? []).map((disk) => disk.mountPoint)),
            ),
          ]
        : choice.mounts;
    for (const mount of mounts) columns.push(...DEFAULT_DISK_COLUMNS.map((name) => `disk.${mount}.${name}`));
  }
  const commands = choice.commands ?? [
    ...new Set(results.flatMap((result) => Object.keys(result.commands ?? {}))),
  ];
  columns.push(...commands.map((name) => `commands.${name}.exitCode`));
  if (results.some((result) => result.metrics !== undefined)) columns.push('metrics.errors');
  return columns;
}

// OWASP's list (= + - @ tab CR) and LF, NUL and the full-width forms some spreadsheets also
// read as formula starts.
const FORMULA_START = /^[=+\-@\t\r\n\0\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A cell as text: numbers as they are, booleans as `true`/`false`, nothing as empty, and a
 * string that a spreadsheet would run as a formula behind a `'`.
 */
export function toCellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return FORMULA_START.test(value) ? `'${value}` : value;
}
