/**
 * Collect CPU, memory, disk, load, uptime and OS facts (and any commands you name) from every
 * host of an inventory over SSH, in parallel, with host keys checked. Writes JSON, NDJSON or
 * CSV, shows progress on a terminal, sums up failures by error code, and exits 1 when any
 * host failed.
 *
 *   npx tsx examples/collect-metrics.ts --inventory hosts.yaml --format csv --output metrics.csv
 */
import { ConfigError, main, parseCliArgs } from 'sre-kit/errors';
import { writeAtomic } from 'sre-kit/fs';
import {
  collectStream,
  type HostResult,
  loadInventory,
  METRIC_NAMES,
  type MetricName,
  selectHosts,
  toCSV,
  toJSON,
  toNDJSON,
} from 'sre-kit/remote';
import { z } from 'zod';

const HELP = `Usage: collect-metrics --inventory <hosts.yaml|json|csv> [options]

Options:
  --inventory <file>      the hosts (YAML, JSON or CSV)
  --group <name>          only hosts of this group (repeatable)
  --format <csv|json|ndjson>  output format (default csv)
  --output <file>         write here, atomically (default: stdout)
  --metrics <list|none>   ${METRIC_NAMES.join(',')} (default: all)
  --command <name=cmd>    also run a command on every host (repeatable)
  --known-hosts <file>    known_hosts to check host keys against (default ~/.ssh/known_hosts)
  --identity <file>       a private key to log in with (default: the inventory's, then the agent)
  --concurrency <n>       hosts at once (default 32)
  -h, --help              show this help`;

const Args = z.object({
  inventory: z.string().optional(),
  group: z.array(z.string()).default([]),
  format: z.enum(['csv', 'json', 'ndjson']).default('csv'),
  output: z.string().optional(),
  metrics: z.string().default(METRIC_NAMES.join(',')),
  command: z.array(z.string().regex(/^[\w.-]+=.+/, 'expected name=command')).default([]),
  'known-hosts': z.string().optional(),
  identity: z.string().optional(),
  concurrency: z.coerce.number().int().positive().default(32),
  help: z.boolean().default(false),
});

await main(async ({ argv, signal }) => {
  const { values: args } = parseCliArgs(argv, {
    options: {
      inventory: { type: 'string' },
      group: { type: 'string', multiple: true },
      format: { type: 'string' },
      output: { type: 'string' },
      metrics: { type: 'string' },
      command: { type: 'string', multiple: true },
      'known-hosts': { type: 'string' },
      identity: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  if (args.help) return console.log(HELP);
  if (!args.inventory) throw new ConfigError('SRE_USAGE', '--inventory is required (see --help)');
  const metrics = args.metrics === 'none' ? [] : args.metrics.split(',');
  const unknown = metrics.filter((name) => !(METRIC_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new ConfigError('SRE_USAGE', `--metrics: unknown ${unknown.join(', ')} (see --help)`);

  const inventory = await loadInventory(args.inventory);
  const hosts = args.group.length > 0 ? selectHosts(inventory, { groups: args.group }) : inventory.hosts;
  const failures = new Map<string, number>();
  const results = collectStream(hosts, {
    commands: Object.fromEntries(
      args.command.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    ),
    ...(metrics.length > 0 ? { metrics: metrics as MetricName[] } : {}),
    concurrency: args.concurrency,
    signal,
    ...(args['known-hosts'] ? { knownHostsPath: args['known-hosts'] } : {}),
    ...(args.identity ? { privateKeys: [args.identity] } : {}),
    onProgress: ({ done, total, failed }) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} hosts, ${failed} failed `);
    },
  });
  // Tally failures as the results stream past, on their way to the writer.
  const counted = (async function* (): AsyncGenerator<HostResult> {
    for await (const result of results) {
      if (result.error) failures.set(result.error.code, (failures.get(result.error.code) ?? 0) + 1);
      yield result;
    }
  })();
  const output =
    args.format === 'csv' ? toCSV(counted) : args.format === 'ndjson' ? toNDJSON(counted) : toJSON(counted);
  if (args.output) await writeAtomic(args.output, output);
  else for await (const chunk of output) process.stdout.write(chunk);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
  console.error(`${hosts.length - failed} of ${hosts.length} hosts ok`);
  for (const [code, count] of [...failures].sort((a, b) => b[1] - a[1]))
    console.error(`  ${count} × ${code}`);
  return failed > 0 ? 1 : 0;
});
