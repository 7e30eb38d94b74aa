import { z } from 'zod';
import { resolveHosts } from './inventory-resolve.js';
import type { Inventory } from './inventory-types.js';

const noSpace = (what: string) =>
  z.string().min(1, `${what} must not be empty`).regex(/^\S+$/, `${what} must not contain whitespace`);
// A value that starts with `-` would be read as an option by any ssh-like tool that gets it.
const noOption = (schema: z.ZodString, what: string) =>
  schema.regex(/^[^-]/, `${what} must not start with "-"`);

const Name = noSpace('a name');
const HostName = noOption(noSpace('a host'), 'a host');
const User = noOption(noSpace('a user'), 'a user').regex(/^[^@:]+$/, 'a user must not contain "@" or ":"');
const Port = z.int().min(1, 'a port is from 1 to 65535').max(65535, 'a port is from 1 to 65535');
const Label = noSpace('a group or tag').regex(/^[^;,]+$/, 'a group or tag must not contain ";" or ","');
const Jump = noSpace('a jump host');
const Path = z.string().min(1, 'a path must not be empty');

const shared = {
  port: Port.optional(),
  user: User.optional(),
  identityFile: Path.optional(),
  groups: z.array(Label).optional(),
  tags: z.array(Label).optional(),
  jump: Jump.optional(),
};

/** One host as written in an inventory file, before defaults. */
export const HostEntrySchema = z.strictObject({ name: Name, host: HostName.optional(), ...shared });
/** The `defaults` block of an inventory file: every field of a host but `name` and `host`. */
export const InventoryDefaultsSchema = z.strictObject(shared);

/**
 * The schema of an inventory: `{ defaults?, hosts: [...] }` or just the list of hosts.
 * Each host has a `name` and optionally `host` (default: the name), `port` (default 22),
 * `user`, `identityFile`, `groups`, `tags` and `jump` (the name of another host of the
 * inventory, or `[user@]host[:port]`). `defaults` gives any of those but `name` and `host`
 * to every host that does not set its own; `groups` and `tags` of both are combined. Names
 * must be unique; unknown keys are errors (a misspelt `prot:` is not silently ignored).
 * The output is the resolved {@link Inventory}.
 *
 * @example
 * ```ts
 * import { InventorySchema } from 'sre-kit/remote';
 *
 * const inventory = InventorySchema.parse({
 *   defaults: { user: 'deploy', jump: 'bastion' },
 *   hosts: [{ name: 'bastion', host: 'bastion.example.com' }, { name: 'web-1', groups: ['web'] }],
 * });
 * inventory.hosts[1]?.jump?.host; // 'bastion.example.com'
 * ```
 */
export const InventorySchema: z.ZodType<Inventory, unknown> = z
  .preprocess(
    (value) => (Array.isArray(value) ? { hosts: value } : value),
    z.strictObject({
      defaults: InventoryDefaultsSchema.optional(),
      hosts: z.array(HostEntrySchema).min(1, 'an inventory needs at least one host'),
    }),
  )
  .transform((file, context) => {
    const { inventory, problems } = resolveHosts(file.hosts, file.defaults ?? {});
    for (const problem of problems) {
      context.issues.push({ code: 'custom', message: problem.message, path: problem.path, input: file });
    }
    return inventory;
  });
