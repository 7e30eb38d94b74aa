/**
 * Change keys of a JSON config safely: locked against other writers (run it from as many
 * cron jobs at once as you like), written atomically, validated against a JSON Schema before
 * and after, and nothing written when nothing changes. Prints what changed.
 *
 *   npx tsx examples/update-config.ts app.json --set server.port=8080 --unset debug --schema schema.json
 *   npx tsx examples/update-config.ts app.json --patch change.json --dry-run
 */
import { ConfigError, type JsonValue, main, parseCliArgs } from 'sre-kit/errors';
import { applyMergePatch, type MergePatch, readJson, updateJson } from 'sre-kit/fs';
import { z } from 'zod';

const HELP = `Usage: update-config <file.json> [--set key.path=value]… [--unset key.path]… [options]

Options:
  --set <path=value>  set a key (value parsed as JSON when it is JSON: 8080, true, "x", {...})
  --unset <path>      remove a key
  --patch <file>      apply a JSON Merge Patch (RFC 7396) file
  --schema <file>     a JSON Schema both the file and the result must satisfy
  --create            start from {} when the file does not exist
  --backup            keep the previous version as <file>.bak
  --dry-run           show what would change, write nothing
  -h, --help          show this help`;

const Args = z.object({
  set: z.array(z.string().regex(/^[^=]+=/, 'expected key.path=value')).default([]),
  unset: z.array(z.string().min(1)).default([]),
  patch: z.string().optional(),
  schema: z.string().optional(),
  create: z.boolean().default(false),
  backup: z.boolean().default(false),
  'dry-run': z.boolean().default(false),
  help: z.boolean().default(false),
});

/** `server.port` and a value → `{ server: { port: value } }`. */
function patchAt(path: string, value: unknown): MergePatch {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as MergePatch;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

await main(async ({ argv, signal }) => {
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      set: { type: 'string', multiple: true },
      unset: { type: 'string', multiple: true },
      patch: { type: 'string' },
      schema: { type: 'string' },
      create: { type: 'boolean' },
      backup: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  if (args.help) return console.log(HELP);
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new ConfigError('SRE_USAGE', 'Expected exactly one config file (see --help)');

  const patches: MergePatch[] = args.patch
    ? [await readJson(args.patch, { schema: z.record(z.string(), z.json()) })]
    : [];
  for (const entry of args.set) {
    const [path = '', ...rest] = entry.split('=');
    patches.push(patchAt(path, parseValue(rest.join('='))));
  }
  for (const path of args.unset) patches.push(patchAt(path, null));
  if (patches.length === 0)
    throw new ConfigError('SRE_USAGE', 'Nothing to change: give --set, --unset or --patch (see --help)');

  const schema = args.schema
    ? z.fromJSONSchema(await readJson(args.schema, { schema: z.looseObject({}) }))
    : undefined;
  // Each change is a merge patch of its own, applied in the order given.
  const result = await updateJson<JsonValue>(file, (data) => patches.reduce(applyMergePatch, data), {
    ...(schema ? { schema } : {}),
    ...(args.create ? { create: {} } : {}),
    backup: args.backup,
    dryRun: args['dry-run'],
    signal,
  });
  const verb = args['dry-run'] ? 'would change' : 'changed';
  if (!result.changed) return console.log(`${file}: no change`);
  if (result.created) console.log(`${file}: created`);
  for (const change of result.changes) {
    const before = JSON.stringify(change.before);
    const after = JSON.stringify(change.after);
    if (change.kind === 'added') console.log(`${verb} ${change.path}: (absent) → ${after}`);
    else if (change.kind === 'removed') console.log(`${verb} ${change.path}: ${before} → (removed)`);
    else console.log(`${verb} ${change.path}: ${before} → ${after}`);
  }
});
