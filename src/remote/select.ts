import { ConfigError } from '../errors/index.js';
import type { Host, Inventory } from './inventory-types.js';

/** Which hosts {@link selectHosts} returns; every criterion given must hold. */
export interface SelectHostsOptions {
  /** Hosts in any of these groups. */
  groups?: string | readonly string[];
  /** Hosts with all of these tags. */
  tags?: string | readonly string[];
  /**
   * Hosts whose name matches any of these globs: `*` any characters, `?` one,
   * `[abc]`, `[a-z]`, `[!a-z]` one of (or not of) a set. Case-sensitive.
   */
  pattern?: string | readonly string[];
}

/**
 * The hosts of an inventory in any of `groups`, with all of `tags`, whose name matches
 * `pattern`, in inventory order. A group or tag that no host has is an error, since it is
 * almost always a typo, and one that would silently select nothing; a pattern may match
 * nothing.
 *
 * @throws `SRE_USAGE` for an unknown group or tag, or an option that is not a string or a list of strings.
 *
 * @example
 * ```ts
 * import { loadInventory, selectHosts } from 'sre-kit/remote';
 *
 * const inventory = await loadInventory('hosts.yaml');
 * // web or api hosts, tagged prod, named eu-*
 * const hosts = selectHosts(inventory, { groups: ['web', 'api'], tags: 'prod', pattern: 'eu-*' });
 * ```
 */
export function selectHosts(inventory: Inventory, options: SelectHostsOptions = {}): Host[] {
  const groups = normalizeList('groups', options.groups);
  const tags = normalizeList('tags', options.tags);
  const patterns = normalizeList('pattern', options.pattern)?.map(globToRegExp);
  for (const [kind, wanted] of [
    ['group', groups],
    ['tag', tags],
  ] as const) {
    const known = new Set(inventory.hosts.flatMap((host) => (kind === 'group' ? host.groups : host.tags)));
    const unknown = wanted?.filter((name) => !known.has(name)) ?? [];
    if (unknown.length > 0) {
      throw new ConfigError(
        'SRE_USAGE',
        `selectHosts(): no host has the ${kind}${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${[...known].sort().join(', ') || '(none)'}`,
      );
    }
  }
  return inventory.hosts.filter(
    (host) =>
      (groups === undefined || groups.some((group) => host.groups.includes(group))) &&
      (tags === undefined || tags.every((tag) => host.tags.includes(tag))) &&
      (patterns === undefined || patterns.some((pattern) => pattern.test(host.name))),
  );
}

function normalizeList(option: string, value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new ConfigError(
      'SRE_USAGE',
      `selectHosts(): option "${option}" must be a string or a list of strings`,
    );
  }
  return [...list];
}

/** A glob on a whole name as a RegExp; every other character is literal. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      // A `]` right after `[` or `[!` is a member of the set, as in POSIX globs.
      const close = glob.indexOf(']', index + (glob[index + 1] === '!' ? 3 : 2));
      if (close === -1) source += '\\[';
      else {
        const body = glob.slice(index + 1, close);
        const negated = body.startsWith('!');
        const set = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
        source += `[${negated ? '^' : ''}${set}]`;
        index = close;
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
