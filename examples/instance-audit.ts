/**
 * The periodic machine audit: one CSV row per instance (id, start time, size, total disk
 * size in GiB), written atomically to a file; the console gets one summary line. The data
 * comes from the AWS CLI (`aws ec2 describe-instances` and `describe-volumes`, run without a
 * shell, with a deadline, every page validated), or with --inventory from the hosts
 * themselves over SSH (boot time, CPUs and memory, disk total from df).
 *
 *   npx tsx examples/instance-audit.ts --region eu-west-1 --output instances.csv
 *   npx tsx examples/instance-audit.ts --inventory hosts.yaml --output machines.csv
 */
import { stringify } from 'csv-stringify/sync';
import { ConfigError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { writeAtomic } from 'sre-kit/fs';
import { run } from 'sre-kit/process';
import type { HostResult } from 'sre-kit/remote';
import { z } from 'zod';

const HELP = `Usage: instance-audit (--region <region> | --inventory <hosts.yaml>) --output <file.csv>

Writes one row per instance: id, start_time (UTC), size, disk_gib. With --region, from the
aws CLI (its usual credentials and profile): the instances of the region that are not
terminated, their type as size, and the sum of the EBS volumes attached to each. With
--inventory, from each host over SSH: its boot time, "<n> vCPU / <m> GiB" as size, and the
sum of its block-device filesystems (df, each device once). Exits 1 when a host failed
(it has no row; the summary names it); 65 for an aws answer of the wrong shape, 69 without
the aws CLI, 70 when it fails, 75 at the deadline. No file is written when aws fails.

Options:
  --region <region>       the AWS region, e.g. eu-west-1
  --inventory <file>      audit these hosts over SSH instead (YAML, JSON or CSV)
  --output <file>         the CSV file, written atomically (never the console)
  --known-hosts <file>    known_hosts for --inventory (default ~/.ssh/known_hosts)
  --identity <file>       a private key for --inventory (default: the inventory's, then the agent)
  --timeout-ms <ms>       deadline of each aws call or SSH command (default 60000)
  -h, --help              show this help`;

const Args = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected a region such as eu-west-1')
      .optional(),
    inventory: z.string().min(1).optional(),
    output: z.string().min(1).optional(),
    'known-hosts': z.string().min(1).optional(),
    identity: z.string().min(1).optional(),
    'timeout-ms': z.coerce.number().int().positive().default(60_000),
    help: z.boolean().default(false),
  })
  .refine((args) => args.help || (args.region === undefined) !== (args.inventory === undefined), {
    message: 'give either --region or --inventory',
  })
  .refine((args) => args.help || args.output !== undefined, { message: '--output <file.csv> is required' });
type Args = z.infer<typeof Args>;

/** The parts of the CLI's answers the audit reads; anything else in them is ignored. */
const InstancesPage = z.looseObject({
  Reservations: z.array(
    z.looseObject({
      Instances: z.array(
        z.looseObject({
          InstanceId: z.string().regex(/^i-[0-9a-f]+$/, 'expected an instance id'),
          InstanceType: z.string().min(1),
          LaunchTime: z.iso.datetime({ offset: true }),
          State: z.looseObject({ Name: z.string() }),
        }),
      ),
    }),
  ),
  NextToken: z.string().min(1).optional(),
});
const VolumesPage = z.looseObject({
  Volumes: z.array(
    z.looseObject({
      VolumeId: z.string(),
      Size: z.int().nonnegative(),
      Attachments: z.array(z.looseObject({ InstanceId: z.string(), State: z.string() })).default([]),
    }),
  ),
  NextToken: z.string().min(1).optional(),
});

interface Row {
  id: string;
  startTime: Date;
  size: string;
  diskGiB: number;
}

/** Every page of one `aws ec2 describe-…` call, following NextToken. */
async function describeAll<S extends typeof InstancesPage | typeof VolumesPage>(
  operation: string,
  schema: S,
  args: Args,
  signal: AbortSignal,
): Promise<Array<z.infer<S>>> {
  const pages: Array<z.infer<S>> = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const argv = [
      'ec2',
      operation,
      '--region',
      args.region as string,
      '--output',
      'json',
      '--max-items',
      '1000',
    ];
    // AWS_PAGER='' keeps CLI v2 from starting `less` and waiting for a keypress.
    const { stdout } = await run('aws', token ? [...argv, '--starting-token', token] : argv, {
      env: { AWS_PAGER: '' },
      timeoutMs: args['timeout-ms'],
      signal,
    });
    const source = `aws ec2 ${operation} output for ${args.region}${token ? ` (page ${pages.length + 1})` : ''}`;
    let data: unknown;
    try {
      data = JSON.parse(stdout);
    } catch (error) {
      throw new ConfigError('SRE_DATA_INVALID', `${source} is not JSON`, {
        cause: error,
        details: { head: stdout.slice(0, 200) },
      });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw fromZodError(parsed.error, { source, input: data, code: 'SRE_DATA_INVALID' });
    pages.push(parsed.data as z.infer<S>);
    token = parsed.data.NextToken;
    if (token !== undefined && seen.has(token))
      throw new ConfigError('SRE_DATA_INVALID', `${source}: NextToken ${token} came back twice`);
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return pages;
}

async function fromAws(args: Args, signal: AbortSignal): Promise<Row[]> {
  const instances = (await describeAll('describe-instances', InstancesPage, args, signal))
    .flatMap((page) => page.Reservations.flatMap((reservation) => reservation.Instances))
    .filter((instance) => instance.State.Name !== 'terminated');
  const diskGiB = new Map<string, number>();
  for (const page of await describeAll('describe-volumes', VolumesPage, args, signal)) {
    for (const volume of page.Volumes) {
      // A multi-attach volume counts for each instance it is attached to.
      for (const attachment of volume.Attachments)
        diskGiB.set(attachment.InstanceId, (diskGiB.get(attachment.InstanceId) ?? 0) + volume.Size);
    }
  }
  return instances.map((instance) => ({
    id: instance.InstanceId,
    startTime: new Date(instance.LaunchTime),
    size: instance.InstanceType,
    diskGiB: diskGiB.get(instance.InstanceId) ?? 0,
  }));
}

const GiB = 1024 ** 3;
const round1 = (value: number) => Math.round(value * 10) / 10;

/** A host's row, from its metrics; `undefined` for a host that failed. */
function hostRow(result: HostResult): Row | undefined {
  const { uptime, cpu, memory, disk } = result.metrics ?? {};
  if (!result.ok || !uptime || !cpu || !memory || !disk) return undefined;
  // Block devices only (no tmpfs, overlay, proc), each once however often it is mounted.
  const devices = new Map(disk.filter((d) => d.filesystem.startsWith('/dev/')).map((d) => [d.filesystem, d]));
  const bytes = [...devices.values()].reduce((sum, d) => sum + d.sizeBytes, 0);
  return {
    id: result.host,
    // The kernel's own boot time; else (no btime line) the end of the run minus the uptime.
    startTime: new Date(
      uptime.bootTime ?? Date.parse(result.startedAt) + result.durationMs - uptime.seconds * 1000,
    ),
    size: `${cpu.count} vCPU / ${round1(memory.totalBytes / GiB)} GiB`,
    diskGiB: round1(bytes / GiB),
  };
}

// A cell a spreadsheet would run as a formula goes behind a ' (as sre-kit's toCSV does).
const FORMULA_START = /^[=+\-@\t\r\n\0\uFF1D\uFF0B\uFF0D\uFF20]/;
const cell = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
/** Seconds, UTC: `2024-05-02T08:15:42Z`. */
const utc = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

await main(async ({ argv, signal }) => {
  const { values: args } = parseCliArgs(argv, {
    options: {
      region: { type: 'string' },
      inventory: { type: 'string' },
      output: { type: 'string' },
      'known-hosts': { type: 'string' },
      identity: { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  if (args.help) return console.log(HELP);
  let rows: Row[];
  let failed: HostResult[] = [];
  if (args.inventory) {
    // Loaded only for --inventory: the aws path never loads ssh2.
    const { collect, loadInventory } = await import('sre-kit/remote');
    const results = await collect((await loadInventory(args.inventory)).hosts, {
      metrics: ['uptime', 'memory', 'cpu', 'disk'],
      commandTimeoutMs: args['timeout-ms'],
      signal,
      ...(args['known-hosts'] ? { knownHostsPath: args['known-hosts'] } : {}),
      ...(args.identity ? { privateKeys: [args.identity] } : {}),
    });
    rows = results.flatMap((result) => hostRow(result) ?? []);
    failed = results.filter((result) => hostRow(result) === undefined);
  } else rows = await fromAws(args, signal);

  const records = rows.map((row) => [cell(row.id), utc(row.startTime), cell(row.size), row.diskGiB]);
  const csv = stringify(records, {
    header: true,
    columns: ['id', 'start_time', 'size', 'disk_gib'],
    record_delimiter: '\n',
  });
  await writeAtomic(args.output as string, csv);
  const total = round1(rows.reduce((sum, row) => sum + row.diskGiB, 0));
  const what = args.inventory
    ? `${rows.length} of ${rows.length + failed.length} hosts of ${args.inventory}`
    : `${rows.length} instances in ${args.region}`;
  const failures = failed.map((result) => `${result.host} (${result.error?.code ?? 'no metrics'})`);
  const summary = `${what} (${total} GiB of disk) written to ${args.output}`;
  if (failures.length === 0) return console.log(summary);
  console.error(`${summary}; failed: ${failures.join(', ')}`);
  return 1;
});
