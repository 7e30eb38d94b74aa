/**
 * The on-call CLI for a fleet behind a control-plane API (GET /servers lists the servers'
 * IPs, GET /<ip> answers {cpu, memory, service} in percent). Requests run a few at a time,
 * each with a deadline, transient failures (5xx, connection resets) are retried with backoff,
 * and a server that fails or answers garbage is reported on its own line instead of
 * crashing the run. Try it on the local stand-in: `npx tsx examples/fixtures/control-plane.ts`.
 *
 *   npx tsx examples/service-health.ts services --url http://127.0.0.1:8700
 *   npx tsx examples/service-health.ts track --service UserService --interval 5s
 */

import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import {
  ConfigError,
  createError,
  formatError,
  fromZodError,
  isRetryable,
  main,
  parseCliArgs,
} from 'sre-kit/errors';
import { z } from 'zod';

const HELP = `Usage: service-health <command> [options]

Commands:
  services                 every server: IP, service, status, CPU and memory
  status [--service NAME]  per service: instances, healthy ones, average CPU and memory
  unhealthy                the services with fewer than two healthy instances (exit 1 if any)
  track --service NAME     the status of one service every --interval, until Ctrl-C

A server is healthy when it answers and its CPU and memory are at or below the thresholds.

Options:
  --url <url>              the control-plane API (default http://127.0.0.1:8700)
  --service <name>         the service to show (status, track)
  --interval <duration>    time between refreshes of track: 500ms, 5s, 1m (default 5s)
  --count <n>              stop track after n refreshes (default: run until Ctrl-C)
  --cpu-threshold <pct>    CPU above this is unhealthy (default 90)
  --mem-threshold <pct>    memory above this is unhealthy (default 90)
  --concurrency <n>        requests in flight at once (default 10)
  --timeout <duration>     deadline of each request (default 2s)
  --retries <n>            retries of a request that failed transiently (default 2)
  -h, --help               show this help`;

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** `5s`, `500ms`, `1.5m` → milliseconds. */
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'expected a duration such as 5s, 500ms or 1m')
  .transform((text) => {
    const [, value, unit] = /^([\d.]+)(\w+)$/.exec(text) as unknown as [string, string, keyof typeof UNITS];
    return Number(value) * UNITS[unit];
  })
  .pipe(z.number().positive());
const Threshold = z.coerce.number().min(0).max(100).default(90);

const Args = z.object({
  url: z.url().default('http://127.0.0.1:8700'),
  service: z.string().min(1).optional(),
  interval: Duration.default(5000),
  count: z.coerce.number().int().positive().optional(),
  'cpu-threshold': Threshold,
  'mem-threshold': Threshold,
  concurrency: z.coerce.number().int().positive().default(10),
  timeout: Duration.default(2000),
  retries: z.coerce.number().int().nonnegative().default(2),
  help: z.boolean().default(false),
});
type Args = z.infer<typeof Args>;
const COMMANDS = ['services', 'status', 'unhealthy', 'track'];

/** "61%" or 61 → 61. */
const Percent = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value) ? Number.parseFloat(value) : value),
  z.number({ error: 'expected a percentage such as "61%"' }).min(0).max(100),
);
const Metrics = z.object({ service: z.string().min(1), cpu: Percent, memory: Percent });

type Probe =
  | { ip: string; ok: true; service: string; cpu: number; memory: number; problem: string } // '' when healthy
  | { ip: string; ok: false; error: string };

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** GET a JSON document with a deadline per attempt; 5xx, 429 and network errors are retried. */
async function getJson(url: string, args: Args, signal: AbortSignal): Promise<unknown> {
  let attempts = 0;
  try {
    return await pRetry(
      async () => {
        attempts++;
        // A plain timer and controller: AbortSignal.any(AbortSignal.timeout()) was seen to never
        // fire on Node 20 under load.
        const deadline = new AbortController();
        const timer = setTimeout(
          () => deadline.abort(new DOMException('deadline passed', 'TimeoutError')),
          args.timeout,
        );
        const onAbort = () => deadline.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          const response = await fetch(url, { signal: deadline.signal });
          if (!response.ok) {
            await response.body?.cancel();
            throw new HttpStatusError(response.status);
          }
          return await response.json();
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
        }
      },
      {
        retries: args.retries,
        minTimeout: 200,
        signal,
        shouldRetry: ({ error }) =>
          error instanceof HttpStatusError ? error.status >= 500 || error.status === 429 : isRetryable(error),
      },
    );
  } catch (error) {
    signal.throwIfAborted();
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${args.timeout} ms`
        : error instanceof SyntaxError
          ? `malformed JSON (${error.message})`
          : formatError(error);
    throw new Error(attempts > 1 ? `${reason}, after ${attempts} attempts` : reason, { cause: error });
  }
}

async function probeFleet(args: Args, signal: AbortSignal): Promise<Probe[]> {
  const listUrl = new URL('/servers', args.url).href;
  const list = await getJson(listUrl, args, signal).catch((error) => {
    signal.throwIfAborted(); // Ctrl-C is not a connection failure
    throw createError('SRE_REMOTE_CONNECT', `Cannot list the servers at ${listUrl}`, { cause: error });
  });
  const ips = z.array(z.ipv4()).safeParse(list);
  if (!ips.success) throw fromZodError(ips.error, { source: listUrl, input: list, code: 'SRE_DATA_INVALID' });

  const limit = pLimit(args.concurrency);
  return limit.map(ips.data, async (ip): Promise<Probe> => {
    try {
      const data = await getJson(new URL(`/${ip}`, args.url).href, args, signal);
      const parsed = Metrics.safeParse(data);
      if (!parsed.success) {
        const { message } = fromZodError(parsed.error, { source: 'answer', input: data });
        return { ip, ok: false, error: message };
      }
      const { service, cpu, memory } = parsed.data;
      const [cpuMax, memoryMax] = [args['cpu-threshold'], args['mem-threshold']];
      const problem = [
        cpu > cpuMax && `CPU above ${cpuMax}%`,
        memory > memoryMax && `memory above ${memoryMax}%`,
      ]
        .filter(Boolean)
        .join(', ');
      return { ip, ok: true, service, cpu, memory, problem };
    } catch (error) {
      signal.throwIfAborted();
      return { ip, ok: false, error: (error as Error).message };
    }
  });
}

interface ServiceSummary {
  service: string;
  instances: number;
  healthy: number;
  cpu: number;
  memory: number;
}

/** Per service, over the servers that answered: counts and averages. */
function summarize(probes: Probe[]): ServiceSummary[] {
  const byService = new Map<string, Extract<Probe, { ok: true }>[]>();
  for (const probe of probes) {
    if (probe.ok) byService.set(probe.service, [...(byService.get(probe.service) ?? []), probe]);
  }
  return [...byService].sort().map(([service, members]) => ({
    service,
    instances: members.length,
    healthy: members.filter((member) => !member.problem).length,
    cpu: members.reduce((sum, member) => sum + member.cpu, 0) / members.length,
    memory: members.reduce((sum, member) => sum + member.memory, 0) / members.length,
  }));
}

function printTable(rows: (string | number)[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, column) => String(cell).padEnd(widths?.[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** Servers that did not answer properly belong to no service we know of: say so, on stderr. */
function reportFailures(probes: Probe[]): void {
  for (const probe of probes) if (!probe.ok) console.error(`warn ${probe.ip}: ${probe.error}`);
}

const percent = (value: number) => `${value.toFixed(1)}%`;

await main(async ({ argv, signal }) => {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(HELP);
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      url: { type: 'string' },
      service: { type: 'string' },
      interval: { type: 'string' },
      count: { type: 'string' },
      'cpu-threshold': { type: 'string' },
      'mem-threshold': { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  const [command, ...extra] = positionals;
  if (command === undefined || !COMMANDS.includes(command) || extra.length > 0) {
    throw new ConfigError('SRE_USAGE', `Expected one command: ${COMMANDS.join(', ')} (see --help)`);
  }
  if (command === 'track' && args.service === undefined) {
    throw new ConfigError('SRE_USAGE', 'track needs --service NAME (see --help)');
  }

  if (command === 'services') {
    const probes = await probeFleet(args, signal);
    printTable([
      ['IP', 'SERVICE', 'STATUS', 'CPU', 'MEMORY', 'NOTE'],
      ...probes.map((probe) =>
        probe.ok
          ? [
              probe.ip,
              probe.service,
              probe.problem ? 'unhealthy' : 'healthy',
              `${probe.cpu}%`,
              `${probe.memory}%`,
              probe.problem,
            ]
          : [probe.ip, '?', 'error', '-', '-', probe.error],
      ),
    ]);
    return;
  }

  if (command === 'status' || command === 'unhealthy') {
    const probes = await probeFleet(args, signal);
    const services = summarize(probes);
    reportFailures(probes);
    if (args.service !== undefined && !services.some((summary) => summary.service === args.service)) {
      const known = services.map((summary) => summary.service).join(', ');
      throw new ConfigError('SRE_USAGE', `No server that answered runs ${args.service} (services: ${known})`);
    }
    if (command === 'status') {
      printTable([
        ['SERVICE', 'INSTANCES', 'HEALTHY', 'AVG CPU', 'AVG MEMORY'],
        ...services
          .filter((summary) => args.service === undefined || summary.service === args.service)
          .map((s) => [s.service, s.instances, s.healthy, percent(s.cpu), percent(s.memory)]),
      ]);
      return;
    }
    const unhealthy = services.filter((summary) => summary.healthy < 2);
    if (unhealthy.length === 0) return console.log('every service has at least two healthy instances');
    printTable([
      ['SERVICE', 'HEALTHY', 'INSTANCES'],
      ...unhealthy.map((s) => [s.service, s.healthy, s.instances]),
    ]);
    return 1;
  }

  // track: refresh every interval (measured start to start) until Ctrl-C or --count refreshes.
  for (let refresh = 1; ; refresh++) {
    const started = Date.now();
    const probes = await probeFleet(args, signal);
    const summary = summarize(probes).find((s) => s.service === args.service);
    const failed = probes.filter((probe) => !probe.ok).length;
    const time = new Date().toISOString().slice(11, 19);
    const state = summary
      ? `${summary.instances} instances, ${summary.healthy} healthy, CPU ${percent(summary.cpu)}, memory ${percent(summary.memory)}`
      : 'no instance answered';
    console.log(
      `${time} ${args.service}: ${state}${failed ? ` (${failed} servers gave no usable answer)` : ''}`,
    );
    if (refresh === args.count) return;
    await sleep(Math.max(0, started + args.interval - Date.now()), undefined, { signal });
  }
});
