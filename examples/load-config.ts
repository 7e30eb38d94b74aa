/**
 * Load and validate a JSON config file. Each way it can go wrong ends in one clear line on
 * stderr and a sysexits.h exit code: 64 bad arguments, 66 missing file, 65 invalid JSON,
 * 78 a config that does not match the schema.
 *
 *   npx tsx examples/load-config.ts --config service.json
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, FileError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { z } from 'zod';

const HELP = `Usage: load-config --config <file.json>

Loads a service config and checks it: { "service": string, "port": 1-65535, "replicas"?: number }.

Options:
  -c, --config <file>  the JSON config file to load
  -h, --help           show this help`;

const Args = z.object({ config: z.string().min(1).optional(), help: z.boolean().default(false) });

const Config = z.object({
  service: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  replicas: z.number().int().min(1).default(1),
});
type Config = z.infer<typeof Config>;

async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const options = { cause: error, details: { path } };
    if (code === 'ENOENT') throw new FileError('SRE_FILE_NOT_FOUND', `No config file at ${path}`, options);
    if (code === 'EACCES') throw new FileError('SRE_FILE_PERMISSION', `Cannot read ${path}`, options);
    throw new FileError('SRE_FILE_IO', `Cannot read ${path}`, options);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8 says "at position N" for most syntax errors: turn it into the line and column an editor shows.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    const before = position === undefined ? undefined : text.slice(0, Number(position)).split('\n');
    const line = before?.length;
    const column = before && (before.at(-1)?.length ?? 0) + 1;
    const where = before ? `${path}:${line}:${column}` : path;
    throw new FileError('SRE_FILE_INVALID_JSON', `${where}: not valid JSON`, {
      cause: error,
      details: { path, line, column },
    });
  }
  const parsed = Config.safeParse(data);
  if (!parsed.success) throw fromZodError(parsed.error, { source: path, input: data });
  return parsed.data;
}

await main(async ({ argv, logger }) => {
  // node:util parseArgs, then the zod schema; any problem is an SRE_USAGE error (exit 64).
  const { values: args } = parseCliArgs(argv, {
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    schema: Args,
  });
  if (args.help) {
    console.log(HELP);
    return;
  }
  if (args.config === undefined) throw new ConfigError('SRE_USAGE', 'Missing --config <file> (see --help)');

  const config = await loadConfig(args.config);
  logger.info({ path: args.config, service: config.service }, 'config is valid');
  console.log(JSON.stringify(config));
});
