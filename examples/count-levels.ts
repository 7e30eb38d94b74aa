/**
 * Count log lines per level over one or many files (rotated .gz files too), as a table or
 * JSON: "how many ERRORs since 02:00?" answered exactly.
 *
 *   npx tsx examples/count-levels.ts /var/log/app.log /var/log/app.log.1.gz --since 2024-03-01T02:00:00Z
 */
import { ConfigError, main, parseCliArgs } from 'sre-kit/errors';
import { countLevels } from 'sre-kit/logs';
import { z } from 'zod';

const HELP = `Usage: count-levels <file>… [--since <date>] [--until <date>] [--json] [--multiline]

Counts lines per level (TRACE DEBUG INFO NOTICE WARNING ERROR CRITICAL) in plain or gzipped
text and JSON logs, per file and in total.

Options:
  --since <date>   count lines stamped at or after this time (ISO 8601)
  --until <date>   count lines stamped before this time
  --multiline      lines without a timestamp (stack traces) belong to the entry above
  --json           print JSON instead of a table
  -h, --help       show this help`;

const date = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected a date such as 2024-03-01T02:00:00Z');
const Args = z.object({
  since: date.optional(),
  until: date.optional(),
  multiline: z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

await main(async ({ argv, signal }) => {
  const { values: args, positionals: files } = parseCliArgs(argv, {
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      multiline: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  if (args.help) return console.log(HELP);
  if (files.length === 0) throw new ConfigError('SRE_USAGE', 'Give at least one log file (see --help)');
  const counts = await countLevels(files, {
    ...(args.since ? { since: args.since } : {}),
    ...(args.until ? { until: args.until } : {}),
    multiline: args.multiline,
    signal,
  });
  if (args.json) return console.log(JSON.stringify(counts, null, 2));
  const rows = [
    ...(counts.files ?? [{ source: files[0]!, ...counts }]),
    ...(counts.files ? [{ source: 'total', ...counts }] : []),
  ];
  const levels = Object.keys(counts.levels);
  console.log(['file', ...levels, 'no level', 'lines'].join('\t'));
  for (const row of rows) {
    console.log(
      [row.source, ...levels.map((level) => row.levels[level]), row.unmatchedLines, row.lines].join('\t'),
    );
  }
});
