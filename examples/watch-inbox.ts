/**
 * Watch a drop folder and count the log levels of each file that lands in it, once: one JSON
 * line per file on stdout, then the file moves to done/. A file that cannot be counted (a
 * corrupt .gz) is quarantined in quarantine/. Stop it with Ctrl-C and start it again at will:
 * files already counted are not counted again, files that arrived meanwhile are.
 *
 *   npx tsx examples/watch-inbox.ts /srv/inbox
 *   npx tsx examples/watch-inbox.ts /srv/inbox --ledger /var/lib/inbox/ledger.jsonl --stable-ms 5000
 */
import { mkdir, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigError, main, parseCliArgs } from 'sre-kit/errors';
import { watchDirectory } from 'sre-kit/fs';
import { countLevels } from 'sre-kit/logs';
import { z } from 'zod';

const HELP = `Usage: watch-inbox <inbox> [options]

Counts the log levels of each file dropped into <inbox> (plain or gzipped, text or JSON),
prints one JSON line per file and moves the file to <inbox>/done/. Files that cannot be
counted go to <inbox>/quarantine/. Ctrl-C stops it after the files being counted are done;
started again, it carries on where it stopped.

Options:
  --ledger <file>      the record of files already counted (default: <inbox>.ledger.jsonl)
  --stable-ms <ms>     a file is complete once unchanged for this long (default 2000)
  --concurrency <n>    files counted at once (default 4)
  --retries <n>        attempts after a failure before quarantine (default 2)
  -h, --help           show this help`;

const Args = z.object({
  ledger: z.string().min(1).optional(),
  'stable-ms': z.coerce.number().int().nonnegative().default(2000),
  concurrency: z.coerce.number().int().positive().default(4),
  retries: z.coerce.number().int().nonnegative().default(2),
  help: z.boolean().default(false),
});

await main(async ({ argv, signal, logger }) => {
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      ledger: { type: 'string' },
      'stable-ms': { type: 'string' },
      concurrency: { type: 'string' },
      retries: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  if (args.help) return console.log(HELP);
  const [inbox, ...extra] = positionals;
  if (inbox === undefined || extra.length > 0)
    throw new ConfigError('SRE_USAGE', 'Expected exactly one inbox folder (see --help)');
  const done = join(inbox, 'done');
  await mkdir(done, { recursive: true });

  const watcher = watchDirectory(
    inbox,
    async (file, { signal }) => {
      const { levels, lines } = await countLevels(file.path, { signal });
      console.log(JSON.stringify({ file: file.relativePath, lines, levels }));
      // Named after the content too: a later file with the same name never overwrites this one.
      await rename(file.path, join(done, `${file.identity.slice(7, 19)}-${basename(file.path)}`));
    },
    {
      ...(args.ledger ? { ledger: args.ledger } : {}),
      quarantineDir: join(inbox, 'quarantine'),
      stableMs: args['stable-ms'],
      concurrency: args.concurrency,
      retries: args.retries,
      signal,
      logger,
    },
  );
  watcher.on('quarantined', ({ file, error, movedTo }) =>
    logger.error({ file: file.relativePath, movedTo: movedTo ?? null }, `quarantined: ${error.message}`),
  );
  await watcher.done;
  logger.info({ ...watcher.stats() }, 'stopped');
});
