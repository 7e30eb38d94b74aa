/**
 * Start an application script the safe way: no shell, an explicit environment, a deadline
 * that kills the whole process tree, output streamed line by line, and a clear one-line
 * error with a non-zero exit when the app fails or hangs. The rewrite of
 * `os.system(f"./start_app.sh {config}")`.
 *
 *   npx tsx examples/start-app.ts --app examples/fixtures/start_app.sh --config examples/fixtures/app.json
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { lines } from 'sre-kit/process';
import { z } from 'zod';

const HELP = `Usage: start-app --app <script> --config <file.json> [--timeout-ms <ms>]

Runs <script> <file.json> with only the environment the config names (plus PATH and
HOME), prints its output as it comes, and fails when it exits non-zero or passes the deadline.

Options:
  --app <script>       the program to start (no shell: a path or a name on PATH)
  --config <file>      JSON: { "env": { "NAME": "value" }, "args": ["extra", "args"] }
  --timeout-ms <ms>    deadline for the whole run (default 60000)
  -h, --help           show this help`;

const Args = z.object({
  app: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  'timeout-ms': z.coerce.number().int().positive().default(60_000),
  help: z.boolean().default(false),
});

const AppConfig = z.object({
  env: z.record(z.string(), z.string()).default({}),
  args: z.array(z.string()).default([]),
});

await main(async ({ argv, signal }) => {
  const { values: args } = parseCliArgs(argv, {
    options: {
      app: { type: 'string' },
      config: { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  if (args.help) return console.log(HELP);
  if (!args.app || !args.config)
    throw new ConfigError('SRE_USAGE', 'Both --app and --config are required (see --help)');

  const raw = JSON.parse(await readFile(args.config, 'utf8'));
  const parsed = AppConfig.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error, { source: args.config, input: raw });
  const config = parsed.data;

  const output = lines(args.app, [args.config, ...config.args], {
    extendEnv: false,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...config.env },
    timeoutMs: args['timeout-ms'],
    signal,
  });
  for await (const line of output) console.log(`[app] ${line}`);
  console.log('app finished successfully');
});
