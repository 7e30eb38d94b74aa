import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, fromZodError } from '../errors/index.js';
import { readJson } from '../fs/json.js';
import { toFileError } from '../fs/paths.js';
import { parseCsvInventory } from './inventory-csv.js';
import { toInventoryError } from './inventory-errors.js';
import { InventoryDefaultsSchema, InventorySchema } from './inventory-schema.js';
import type { ParsedInventoryText } from './inventory-text.js';
import type { Host, Inventory, InventoryDefaults, JumpHost } from './inventory-types.js';
import { parseYamlInventory } from './inventory-yaml.js';

/** The file formats of an inventory. */
export type InventoryFormat = 'yaml' | 'json' | 'csv';

const EXTENSIONS: Readonly<Record<string, InventoryFormat>> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.csv': 'csv',
};

/** Options of {@link loadInventory}. */
export interface LoadInventoryOptions {
  /** The file's format. @default from the extension: `.yaml`/`.yml`, `.json`, `.csv` */
  format?: InventoryFormat;
  /**
   * Defaults under the file's own `defaults` (which win over these, as a host's own values
   * win over both). The way to give a CSV inventory, which has no `defaults` block, a user or
   * a jump host, e.g. from command-line flags.
   */
  defaults?: InventoryDefaults;
}

/**
 * Reads, validates and resolves an inventory file: YAML, JSON or CSV (a header row, one
 * host per row, `groups` and `tags` as `a;b`). See {@link InventorySchema} for the fields;
 * `defaults` are applied, each `jump` is resolved, and an `identityFile` that is relative
 * is taken relative to the inventory file (`~/` to the home directory).
 *
 * @throws `SRE_CONFIG_INVALID` naming the file and, for each problem, the line, the entry
 *   (index and name) and the field, with the details in `details.issues`; YAML and CSV
 *   syntax errors with their line. `SRE_FILE_INVALID_JSON` (line and column) for JSON
 *   syntax, `SRE_FILE_NOT_FOUND`, `SRE_FILE_PERMISSION`, and `SRE_USAGE` for an unknown
 *   extension without `format` or bad `defaults`.
 *
 * @example
 * ```ts
 * // hosts.yaml:
 * //   defaults: { user: deploy, identityFile: ~/.ssh/deploy_ed25519, jump: bastion }
 * //   hosts:
 * //     - { name: bastion, host: bastion.example.com }
 * //     - { name: web-1, host: 10.0.1.11, groups: [web], tags: [prod] }
 * //     - { name: db-1, host: 10.0.2.21, port: 2222, groups: [db], tags: [prod] }
 * import { loadInventory, selectHosts } from 'sre-kit/remote';
 *
 * const inventory = await loadInventory('hosts.yaml');
 * const web = selectHosts(inventory, { groups: ['web'], tags: ['prod'] });
 * ```
 */
export async function loadInventory(path: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const format = options.format ?? EXTENSIONS[extname(path).toLowerCase()];
  if (format === undefined || !['yaml', 'json', 'csv'].includes(format)) {
    throw new ConfigError(
      'SRE_USAGE',
      `loadInventory(): cannot tell the format of ${path}${options.format === undefined ? ' from its extension' : `: ${String(options.format)}`}; pass format: 'yaml', 'json' or 'csv'`,
    );
  }
  const extra = validateDefaults(options.defaults);
  const parsed = await read(path, format);
  const input = extra === undefined ? parsed.data : withDefaults(parsed.data, extra);
  const result = InventorySchema.safeParse(input);
  if (!result.success) throw toInventoryError(result.error, path, input, parsed.locate);
  const base = dirname(resolve(path));
  return { hosts: result.data.hosts.map((host) => resolvePaths(host, base)) };
}

async function read(path: string, format: InventoryFormat): Promise<ParsedInventoryText> {
  if (format === 'json') return { data: await readJson(path), locate: () => undefined };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw toFileError(error, path, 'read');
  }
  if (text.trim() === '') {
    throw new ConfigError('SRE_CONFIG_INVALID', `Invalid inventory ${path}: the file is empty`, {
      details: { source: path },
    });
  }
  return format === 'yaml' ? parseYamlInventory(text, path) : parseCsvInventory(text, path);
}

function validateDefaults(defaults: InventoryDefaults | undefined): Record<string, unknown> | undefined {
  if (defaults === undefined) return undefined;
  const result = InventoryDefaultsSchema.safeParse(defaults);
  if (!result.success) {
    throw fromZodError(result.error, {
      source: 'loadInventory() option "defaults"',
      input: defaults,
      code: 'SRE_USAGE',
    });
  }
  return result.data;
}

/** Puts option defaults under the file's: the file's scalars win, lists are combined. */
function withDefaults(data: unknown, extra: Record<string, unknown>): unknown {
  if (Array.isArray(data)) return { defaults: extra, hosts: data };
  if (typeof data !== 'object' || data === null) return data;
  const file = data as Record<string, unknown>;
  const own = file.defaults;
  if (own === undefined) return { ...file, defaults: extra };
  if (typeof own !== 'object' || own === null || Array.isArray(own)) return data;
  const merged: Record<string, unknown> = { ...extra, ...own };
  for (const list of ['groups', 'tags']) {
    const mine = (own as Record<string, unknown>)[list];
    const theirs = extra[list];
    if (Array.isArray(mine) && Array.isArray(theirs)) merged[list] = [...theirs, ...mine];
  }
  return { ...file, defaults: merged };
}

function resolvePaths<T extends Host | JumpHost>(host: T, base: string): T {
  const withFile = (value: T): T => {
    const file = value.identityFile;
    if (file === undefined) return value;
    const absolute =
      file === '~' || file.startsWith('~/')
        ? join(homedir(), file.slice(1))
        : isAbsolute(file)
          ? file
          : resolve(base, file);
    return { ...value, identityFile: absolute };
  };
  const resolved = withFile(host);
  if ('jump' in resolved && resolved.jump !== undefined) {
    return { ...resolved, jump: resolvePaths(resolved.jump, base) };
  }
  return resolved;
}
