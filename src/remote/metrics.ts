import { isSreError } from '../errors/index.js';
import { MARKER, SECTION_SOURCES, validateMetricNames } from './metrics-command.js';
import { computeCpuUsage, parseProcStat } from './metrics-cpu.js';
import { parseDf } from './metrics-disk.js';
import { parseMeminfo } from './metrics-memory.js';
import { parseLoadavg, parseOsRelease, parseUptime } from './metrics-system.js';
import { type HostMetrics, METRIC_NAMES, type MetricError, type MetricName } from './metrics-types.js';

/** One section of the metrics command's output: its parts (`''` first) and exit status. */
interface Section {
  readonly parts: Map<string, string[]>;
  current: string[];
  status: number | undefined;
}

type Parsed = { [K in MetricName]: NonNullable<HostMetrics[K]> };

const PARSERS: { [K in MetricName]: (part: (name: string) => string) => Parsed[K] } = {
  cpu: (part) => computeCpuUsage(parseProcStat(part('')), parseProcStat(part('sample'))),
  memory: (part) => parseMeminfo(part('')),
  disk: (part) => parseDf(part('')),
  load: (part) => parseLoadavg(part('')),
  uptime: (part) => parseUptime(part(''), part('boot')),
  os: (part) => parseOsRelease(part(''), part('uname')),
};

/**
 * Reads the output of {@link buildMetricsCommand} into typed metrics. Each metric stands
 * alone: one that is missing, cut short or unparseable gets an entry in `errors` (the
 * others are still returned). Text before the
 * first marker (a login banner, an rc file's echo) is ignored.
 *
 * @param output the command's stdout, whole or cut short.
 * @param metrics the metrics that were asked for; each appears in the result or in `errors`.
 * @throws `SRE_USAGE` for an unknown metric name or an empty list; never for the output.
 *
 * @example
 * ```ts
 * import { buildMetricsCommand, parseMetricsOutput } from 'sre-kit/remote';
 *
 * const metrics = parseMetricsOutput(stdout, ['memory', 'disk']);
 * if (metrics.errors?.disk) console.warn(metrics.errors.disk.message);
 * for (const disk of metrics.disk ?? []) if ((disk.usePercent ?? 0) > 90) console.log(disk.mountPoint);
 * ```
 */
export function parseMetricsOutput(
  output: string,
  metrics: readonly MetricName[] = METRIC_NAMES,
): HostMetrics {
  const wanted = validateMetricNames('parseMetricsOutput', metrics);
  const { sections, started } = splitSections(output);
  const result: Partial<Parsed> = {};
  const errors: Partial<Record<MetricName, MetricError>> = {};
  for (const name of METRIC_NAMES) {
    if (!wanted.has(name)) continue;
    const section = sections.get(name);
    if (section === undefined || section.status === undefined) {
      errors[name] = missing(name, section !== undefined, started, output);
      continue;
    }
    const part = (partName: string): string => (section.parts.get(partName) ?? []).join('\n');
    try {
      parseInto(result, name, part);
    } catch (error) {
      errors[name] = failed(name, section, error);
    }
  }
  return Object.keys(errors).length === 0 ? result : { ...result, errors };
}

function parseInto<K extends MetricName>(
  result: Partial<Parsed>,
  name: K,
  part: (name: string) => string,
): void {
  result[name] = PARSERS[name](part);
}

function splitSections(output: string): { sections: Map<string, Section>; started: boolean } {
  const sections = new Map<string, Section>();
  let started = false;
  let section: Section | undefined;
  // One pass over the lines: bounded by the output, which the caller has already bounded.
  for (const line of output.split(/\r?\n/)) {
    if (!line.startsWith(MARKER)) {
      section?.current.push(line);
      continue;
    }
    const [kind = '', argument = ''] = line.slice(MARKER.length).split(' ', 2);
    if (kind === 'metrics') started = true;
    else if (kind === 'section') {
      section = { parts: new Map([['', []]]), current: [], status: undefined };
      section.current = section.parts.get('')!;
      sections.set(argument, section);
    } else if (kind === 'part' && section !== undefined) {
      section.current = [];
      section.parts.set(argument, section.current);
    } else if (kind === 'status' && section !== undefined) {
      section.status = /^\d+$/.test(argument) ? Number(argument) : -1;
      section = undefined;
    } else if (kind === 'end') section = undefined;
  }
  return { sections, started };
}

function missing(name: MetricName, begun: boolean, started: boolean, output: string): MetricError {
  if (begun) {
    return {
      code: 'SRE_DATA_INVALID',
      message: `${name}: the output ended inside the ${name} section (\`${SECTION_SOURCES[name]}\` did not finish)`,
    };
  }
  if (!started) {
    const first = output.split('\n', 1)[0]?.trim().slice(0, 120) ?? '';
    return {
      code: 'SRE_DATA_INVALID',
      message: `${name}: the output has no metrics sections${first === '' ? ' (it is empty)' : `; it begins ${JSON.stringify(first)}`}`,
    };
  }
  return { code: 'SRE_DATA_INVALID', message: `${name}: the output has no ${name} section` };
}

function failed(name: MetricName, section: Section, error: unknown): MetricError {
  if (section.status !== 0) {
    const text = [...section.parts.values()].flat().find((line) => line.trim() !== '') ?? '';
    return {
      code: 'SRE_REMOTE_COMMAND_FAILED',
      message: `${name}: \`${SECTION_SOURCES[name]}\` exited with status ${section.status}${text === '' ? '' : `: ${text.trim().slice(0, 200)}`}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: isSreError(error) ? error.code : 'SRE_DATA_INVALID', message: `${name}: ${message}` };
}
