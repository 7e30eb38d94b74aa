/**
 * Check a list of HTTP endpoints (a YAML file) every 15 s, all in parallel, and print the
 * cumulative availability per domain after each cycle. UP is a 2xx answer within 500 ms,
 * DEGRADED a slower 2xx, DOWN anything else. Every request has a deadline derived from the
 * interval, so a cycle never runs into the next however slow the endpoints are. Ctrl-C (or
 * the end of --cycles) prints the final report. Try it on the local stand-in:
 * `npx tsx examples/fixtures/endpoints-server.ts`.
 *
 *   npx tsx examples/endpoint-monitor.ts examples/fixtures/endpoints.yaml --interval 15s
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, FileError, formatError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

const HELP = `Usage: endpoint-monitor <endpoints.yaml> [--interval 15s] [--cycles n]

The file is a list of endpoints: name and url (required), method (default GET), headers
(a map), body (a string). Availability is the share of checks that were UP, per domain
(the host of the url; the port is ignored).

Options:
  --interval <duration>   time between cycles, at least 1s: 15s, 1m (default 15s); each
                          request gets 90% of it before it counts as DOWN
  --cycles <n>            stop after n cycles (default: run until Ctrl-C)
  -h, --help              show this help`;

/** A 2xx answer within this is UP, a slower one DEGRADED. */
const UP_WITHIN_MS = 500;
const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const Args = z.object({
  interval: z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'expected a duration such as 15s, 1m or 1500ms')
    .transform((text) => {
      const [, value, unit] = /^([\d.]+)(\w+)$/.exec(text) as unknown as [string, string, keyof typeof UNITS];
      return Number(value) * UNITS[unit];
    })
    .pipe(z.number().min(1000, 'must be at least 1s'))
    .default(15_000),
  cycles: z.coerce.number().int().positive().optional(),
  help: z.boolean().default(false),
});

const Endpoint = z
  .strictObject({
    name: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
    method: z
      .string()
      .transform((method) => method.toUpperCase())
      .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
      .default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
  })
  .refine((endpoint) => endpoint.body === undefined || !['GET', 'HEAD'].includes(endpoint.method), {
    message: 'a GET or HEAD request cannot have a body',
    path: ['body'],
  });
type Endpoint = z.infer<typeof Endpoint>;

async function loadEndpoints(path: string): Promise<Endpoint[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const code = error.code === 'ENOENT' ? 'SRE_FILE_NOT_FOUND' : 'SRE_FILE_IO';
    throw new FileError(code, `Cannot read ${path}`, { cause: error, details: { path } });
  });
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const where = error.linePos ? `${path}:${error.linePos[0].line}:${error.linePos[0].col}` : path;
    throw new ConfigError('SRE_CONFIG_INVALID', `${where}: not valid YAML`, { cause: error });
  }
  if (!Array.isArray(data) || data.length === 0) {
    throw new ConfigError('SRE_CONFIG_INVALID', `${path}: expected a list of endpoints (name, url, …)`);
  }
  // One entry at a time, so that the error names the entry by its position and name.
  return data.map((entry: unknown, index) => {
    const parsed = Endpoint.safeParse(entry);
    if (parsed.success) return parsed.data;
    const name = (entry as { name?: unknown } | null)?.name;
    const which = `entry ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
    throw fromZodError(parsed.error, { source: `${path}, ${which}`, input: entry });
  });
}

type Status = 'UP' | 'DEGRADED' | 'DOWN';
interface Check {
  endpoint: Endpoint;
  status: Status;
  durationMs: number;
  detail: string;
}

async function check(endpoint: Endpoint, timeoutMs: number, signal: AbortSignal): Promise<Check> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // A plain timer and controller, not AbortSignal.any(AbortSignal.timeout()): on Node 20 that
  // combination was seen to never fire under load, leaving a stuck request (and the cycle) hung.
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DOMException('deadline passed', 'TimeoutError')),
    timeoutMs,
  );
  const onAbort = () => deadline.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(endpoint.url, {
      method: endpoint.method,
      headers: endpoint.headers,
      ...(endpoint.body === undefined ? {} : { body: endpoint.body }),
      signal: deadline.signal,
    });
    const durationMs = elapsed();
    await response.body?.cancel(); // only the status matters; free the connection
    const status = !response.ok ? 'DOWN' : durationMs <= UP_WITHIN_MS ? 'UP' : 'DEGRADED';
    return { endpoint, status, durationMs, detail: `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = (deadline.signal.reason as Error | undefined)?.name === 'TimeoutError';
    const detail = timedOut ? `no answer within ${timeoutMs} ms` : formatError(error);
    return { endpoint, status: 'DOWN', durationMs: elapsed(), detail };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

await main(async ({ argv, signal }) => {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(HELP);
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      interval: { type: 'string' },
      cycles: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new ConfigError('SRE_USAGE', 'Expected exactly one endpoints file (see --help)');
  const endpoints = await loadEndpoints(file);
  const timeoutMs = Math.floor(args.interval * 0.9);

  const totals = new Map<string, Record<Status, number>>();
  const report = () => {
    for (const [domain, counts] of totals) {
      const checks = counts.UP + counts.DEGRADED + counts.DOWN;
      // Rounded down: 99.97% is not 100%.
      const availability = Math.floor((100 * counts.UP) / checks);
      console.log(
        `  ${domain}: ${availability}% available (UP ${counts.UP}, DEGRADED ${counts.DEGRADED}, DOWN ${counts.DOWN} of ${checks} checks)`,
      );
    }
  };

  let cycles = 0;
  while (!signal.aborted) {
    const started = Date.now();
    const checks = await Promise.all(endpoints.map((endpoint) => check(endpoint, timeoutMs, signal)));
    if (signal.aborted) break; // a cycle cut short by Ctrl-C is not counted
    cycles++;
    console.log(`cycle ${cycles} at ${new Date(started).toISOString()}`);
    for (const { endpoint, status, durationMs, detail } of checks) {
      console.log(`  ${status.padEnd(8)}  ${endpoint.name} (${durationMs} ms): ${detail}`);
      const domain = new URL(endpoint.url).hostname;
      const counts = totals.get(domain) ?? { UP: 0, DEGRADED: 0, DOWN: 0 };
      counts[status]++;
      totals.set(domain, counts);
    }
    report();
    if (cycles === args.cycles) break;
    // Cycles start every interval, however long the last one took; Ctrl-C ends the wait.
    await sleep(Math.max(0, started + args.interval - Date.now()), undefined, { signal }).catch(() => {});
  }
  console.log(`final report after ${cycles} ${cycles === 1 ? 'cycle' : 'cycles'}:`);
  report();
});
