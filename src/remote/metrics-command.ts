import { ConfigError } from '../errors/index.js';
import { METRIC_NAMES, type MetricName } from './metrics-types.js';

/** The prefix of every marker line the metrics command prints. */
export const MARKER = '@@sre-kit:';
/** The version of the marker format, printed first; bumped if sections change meaning. */
export const FORMAT_VERSION = '1';

/** What each section runs, as named in error messages. */
export const SECTION_SOURCES: Readonly<Record<MetricName, string>> = {
  os: 'cat /etc/os-release; uname -sr',
  uptime: 'cat /proc/uptime; grep ^btime /proc/stat',
  load: 'cat /proc/loadavg',
  memory: 'cat /proc/meminfo',
  cpu: 'grep ^cpu /proc/stat',
  disk: 'df -P -k',
};

/** Options of {@link buildMetricsCommand}. */
export interface MetricsCommandOptions {
  /**
   * Time between the two /proc/stat samples the CPU figures come from. Hosts whose `sleep`
   * takes no fractions (old busybox) sleep whole seconds instead.
   * @default 200
   */
  cpuSampleMs?: number;
}

// Each marker starts on a line of its own even when a file lacks its final newline; the
// parsers ignore the blank lines that this adds. Every snippet is free of single quotes,
// since the whole script travels inside one.
const mark = (kind: string, argument: string): string => `printf "\\n${MARKER}${kind} %s\\n" ${argument}`;
const status = mark('status', '$?');

function snippet(metric: MetricName, cpuSampleMs: number): string {
  switch (metric) {
    case 'os':
      return [
        'if [ -r /etc/os-release ]; then cat /etc/os-release',
        'elif [ -r /usr/lib/os-release ]; then cat /usr/lib/os-release',
        'elif [ -r /etc/redhat-release ]; then cat /etc/redhat-release; fi',
        mark('part', 'uname'),
        'uname -sr 2>&1',
      ].join('; ');
    case 'uptime':
      // The section's status is /proc/uptime's: a kernel without a btime line only lacks bootTime.
      return `cat /proc/uptime 2>&1; sre_uptime=$?; ${mark('part', 'boot')}; grep ^btime /proc/stat 2>/dev/null; (exit $sre_uptime)`;
    case 'load':
      return 'cat /proc/loadavg 2>&1';
    case 'memory':
      return 'cat /proc/meminfo 2>&1';
    case 'cpu': {
      const seconds = String(cpuSampleMs / 1000);
      const whole = String(Math.ceil(cpuSampleMs / 1000));
      // The intr line of /proc/stat runs to tens of kilobytes on big hosts: only cpu lines travel.
      return `grep ^cpu /proc/stat 2>&1 && ${mark('part', 'sample')} && { sleep ${seconds} 2>/dev/null || sleep ${whole}; } && grep ^cpu /proc/stat 2>&1`;
    }
    case 'disk':
      return 'df -P -k 2>&1';
  }
}

/**
 * The remote command that prints the given built-in metrics in one round trip:
 * `env LC_ALL=C sh -c '…'`, on one line so that csh-family login shells take it too, run by
 * any POSIX sh (dash, bash, busybox ash). Each metric is a section (`@@sre-kit:section cpu`, its
 * output, `@@sre-kit:status <exit code>`); df comes last, so a hung network mount costs only
 * the disk section. CPU is sampled twice, `cpuSampleMs` apart. {@link parseMetricsOutput}
 * reads what it prints.
 *
 * @throws `SRE_USAGE` for an unknown metric name, an empty list or a bad `cpuSampleMs`.
 *
 * @example
 * ```ts
 * import { buildMetricsCommand, parseMetricsOutput } from 'sre-kit/remote';
 *
 * const command = buildMetricsCommand(['cpu', 'memory', 'disk'], { cpuSampleMs: 500 });
 * // run `command` over SSH, then:
 * const metrics = parseMetricsOutput(stdout, ['cpu', 'memory', 'disk']);
 * ```
 */
export function buildMetricsCommand(
  metrics: readonly MetricName[] = METRIC_NAMES,
  options: MetricsCommandOptions = {},
): string {
  const wanted = validateMetricNames('buildMetricsCommand', metrics);
  const cpuSampleMs = options.cpuSampleMs ?? 200;
  if (!Number.isInteger(cpuSampleMs) || cpuSampleMs < 1 || cpuSampleMs > 60_000) {
    throw new ConfigError(
      'SRE_USAGE',
      `buildMetricsCommand(): option "cpuSampleMs" must be an integer from 1 to 60000, received ${String(cpuSampleMs)}`,
    );
  }
  const lines = [mark('metrics', FORMAT_VERSION)];
  for (const metric of METRIC_NAMES) {
    if (!wanted.has(metric)) continue;
    lines.push(mark('section', metric), snippet(metric, cpuSampleMs), status);
  }
  lines.push(mark('end', '.'));
  // One line: csh and tcsh, still some users' login shells, refuse a newline inside quotes.
  return `env LC_ALL=C sh -c '${lines.join('; ')}'`;
}

/** Checks a list of metric names; returns them as a set. */
export function validateMetricNames(fn: string, metrics: readonly string[]): Set<MetricName> {
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new ConfigError(
      'SRE_USAGE',
      `${fn}(): metrics must be a non-empty list of ${METRIC_NAMES.join(', ')}`,
    );
  }
  for (const metric of metrics) {
    if (!(METRIC_NAMES as readonly string[]).includes(metric)) {
      throw new ConfigError(
        'SRE_USAGE',
        `${fn}(): unknown metric ${JSON.stringify(metric)}; expected one of ${METRIC_NAMES.join(', ')}`,
      );
    }
  }
  return new Set(metrics as readonly MetricName[]);
}
