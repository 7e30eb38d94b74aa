/**
 * The scheduled DNS check of a blue/green pair: a Route 53 zone must hold exactly two weighted
 * records, one with weight 100 (active) and one with weight 0 (inactive). Prints the worker
 * it runs on and which record is which; any other state is a one-line error and a non-zero
 * exit, so the scheduler alerts. The records come from the AWS CLI (run without a shell, with
 * a deadline, its output validated) or from a file holding the same JSON.
 *
 *   npx tsx examples/weighted-records.ts --zone-id Z0123456789ABC --name api.example.com
 *   npx tsx examples/weighted-records.ts --records-file records.json
 */
import { hostname, networkInterfaces } from 'node:os';
import { ConfigError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { readJson } from 'sre-kit/fs';
import { run } from 'sre-kit/process';
import { z } from 'zod';

const HELP = `Usage: weighted-records (--zone-id <id> | --records-file <file.json>) [--name <name>]

Checks that the zone has exactly two weighted records, one with weight 100 (active) and one
with weight 0 (inactive), and prints which is which. Exits 65 when the records are not so,
and with the usual codes when they cannot be read (69: no aws CLI, 70: it failed, 75: timeout).

Options:
  --zone-id <id>          the hosted zone, read with \`aws route53 list-resource-record-sets\`
                          (the aws CLI on PATH, with its usual credentials and profile)
  --records-file <file>   read the records from a file instead (that command's JSON output)
  --name <name>           only the records of this name, e.g. api.example.com
  --timeout-ms <ms>       deadline of the aws call (default 30000)
  -h, --help              show this help`;

const Args = z
  .object({
    'zone-id': z
      .string()
      .regex(/^(\/hostedzone\/)?[A-Z0-9]+$/, 'expected a hosted zone id such as Z0123456789ABC')
      .optional(),
    'records-file': z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    'timeout-ms': z.coerce.number().int().positive().default(30_000),
    help: z.boolean().default(false),
  })
  .refine((args) => (args['zone-id'] === undefined) !== (args['records-file'] === undefined), {
    message: 'give either --zone-id or --records-file',
  });

/** The part of `aws route53 list-resource-record-sets` output this check reads. */
const RecordSets = z.looseObject({
  ResourceRecordSets: z.array(
    z.looseObject({
      Name: z.string(),
      Type: z.string(),
      SetIdentifier: z.string().optional(),
      Weight: z.number().int().min(0).max(255).optional(),
      ResourceRecords: z.array(z.object({ Value: z.string() })).optional(),
      AliasTarget: z.looseObject({ DNSName: z.string() }).optional(),
    }),
  ),
});
type RecordSet = z.infer<typeof RecordSets>['ResourceRecordSets'][number];

async function readRecordSets(args: z.infer<typeof Args>, signal: AbortSignal): Promise<RecordSet[]> {
  if (args['records-file'])
    return (await readJson(args['records-file'], { schema: RecordSets })).ResourceRecordSets;
  const zone = args['zone-id'] as string;
  // AWS_PAGER='' keeps CLI v2 from starting `less` and waiting for a keypress.
  const { stdout } = await run(
    'aws',
    ['route53', 'list-resource-record-sets', '--hosted-zone-id', zone, '--output', 'json'],
    { env: { AWS_PAGER: '' }, timeoutMs: args['timeout-ms'], signal },
  );
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (error) {
    throw new ConfigError('SRE_DATA_INVALID', `aws returned output that is not JSON for zone ${zone}`, {
      cause: error,
      details: { head: stdout.slice(0, 200) },
    });
  }
  const parsed = RecordSets.safeParse(data);
  if (!parsed.success) {
    throw fromZodError(parsed.error, {
      source: `aws output for zone ${zone}`,
      input: data,
      code: 'SRE_DATA_INVALID',
    });
  }
  return parsed.data.ResourceRecordSets;
}

/** `api.example.com` and `API.example.com.` are the same name. */
const normalizeName = (name: string) => name.toLowerCase().replace(/\.?$/, '.');
const label = (record: RecordSet) => `${record.SetIdentifier ?? '(no id)'} (weight ${record.Weight})`;
const target = (record: RecordSet) =>
  record.AliasTarget
    ? `alias ${record.AliasTarget.DNSName}`
    : (record.ResourceRecords ?? []).map((resource) => resource.Value).join(', ');

function notAsRequired(message: string, records: RecordSet[]): ConfigError {
  return new ConfigError('SRE_DATA_INVALID', message, {
    details: {
      records: records.map((r) => ({ name: r.Name, type: r.Type, id: r.SetIdentifier, weight: r.Weight })),
    },
  });
}

await main(async ({ argv, signal }) => {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(HELP);
  const { values: args } = parseCliArgs(argv, {
    options: {
      'zone-id': { type: 'string' },
      'records-file': { type: 'string' },
      name: { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal && address.family === 'IPv4')
    .map((address) => address?.address);
  console.log(`worker: ${hostname()} (${addresses.join(', ') || 'no external IPv4 address'})`);

  const source = args['zone-id'] ? `zone ${args['zone-id']}` : args['records-file'];
  const weighted = (await readRecordSets(args, signal)).filter(
    (record) =>
      record.Weight !== undefined && (!args.name || normalizeName(record.Name) === normalizeName(args.name)),
  );
  const names = [...new Set(weighted.map((record) => normalizeName(record.Name)))];
  if (names.length > 1) {
    throw notAsRequired(
      `The weighted records in ${source} have ${names.length} names (${names.join(', ')}): choose one with --name`,
      weighted,
    );
  }
  if (weighted.length !== 2) {
    const found = weighted.map(label).join(', ');
    const name = names[0] ?? (args.name ? normalizeName(args.name) : undefined);
    throw notAsRequired(
      `Expected exactly 2 weighted records${name ? ` for ${name}` : ''} in ${source}, found ${weighted.length}${found ? `: ${found}` : ''}`,
      weighted,
    );
  }
  const [first, second] = weighted as [RecordSet, RecordSet];
  if (first.Type !== second.Type) {
    throw notAsRequired(
      `The 2 weighted records of ${first.Name} in ${source} are not one pair: one is ${first.Type}, the other ${second.Type}`,
      weighted,
    );
  }
  const active = weighted.find((record) => record.Weight === 100);
  const inactive = weighted.find((record) => record.Weight === 0);
  if (!active || !inactive) {
    throw notAsRequired(
      `Expected one weighted record with weight 100 (active) and one with weight 0 (inactive) in ${source}, found ${label(first)} and ${label(second)}`,
      weighted,
    );
  }
  console.log(`${first.Name} ${first.Type} in ${source}:`);
  console.log(`  active:   ${active.SetIdentifier} (weight 100) → ${target(active)}`);
  console.log(`  inactive: ${inactive.SetIdentifier} (weight 0) → ${target(inactive)}`);
});
