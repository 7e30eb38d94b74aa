/**
 * Write the entries of a log that match a level and a time window to a file, atomically
 * (readers of the output never see half of it). Every option is validated: a bad date is a
 * usage error that names the option.
 *
 *   npx tsx examples/filter-logs.ts --input app.log.gz --output errors.log --level ERROR \
 *     --start-date 2024-03-01T02:00:00Z --end-date 2024-03-01T03:00:00Z
 */
import { main, parseCliArgs } from 'sre-kit/errors';
import { writeAtomic } from 'sre-kit/fs';
import { LEVELS, scanLog } from 'sre-kit/logs';
import { z } from 'zod';

const HELP = `Usage: filter-logs --input <file> --output <file> [--level ERROR] [--start-date <date>] [--end-date <date>]

Options:
  --input <file>        the log to read (plain or gzip)
  --output <file>       where the matching entries go (replaced atomically)
  --level <level>       the lowest level kept: ${LEVELS.join(', ')} (default: every line with a level)
  --start-date <date>   keep entries stamped at or after this time (ISO 8601)
  --end-date <date>     keep entries stamped before this time
  --multiline           keep stack traces with their entry
  -h, --help            show this help`;

const date = z
  .string()
  .refine(
    (text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)),
    'expected an ISO date such as 2024-03-01 or 2024-03-01T02:00:00Z',
  );
const Args = z
  .object({
    input: z.string({ error: 'required' }).min(1),
    output: z.string({ error: 'required' }).min(1),
    level: z.enum(LEVELS).optional(),
    'start-date': date.optional(),
    'end-date': date.optional(),
    multiline: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .refine(
    (args) =>
      !args['start-date'] ||
      !args['end-date'] ||
      Date.parse(args['start-date']) < Date.parse(args['end-date']),
    {
      message: 'must be after --start-date',
      path: ['end-date'],
    },
  );

await main(async ({ argv, signal }) => {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(HELP);
  const { values: args } = parseCliArgs(argv, {
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      level: { type: 'string' },
      'start-date': { type: 'string' },
      'end-date': { type: 'string' },
      multiline: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  let kept = 0;
  const entries = scanLog(args.input, {
    ...(args.level ? { minLevel: args.level } : {}),
    ...(args['start-date'] ? { since: args['start-date'] } : {}),
    ...(args['end-date'] ? { until: args['end-date'] } : {}),
    multiline: args.multiline,
    signal,
  });
  await writeAtomic(
    args.output,
    (async function* () {
      for await (const entry of entries) {
        kept++;
        yield `${entry.text}\n`;
      }
    })(),
  );
  console.log(`${kept} entries written to ${args.output}`);
});
