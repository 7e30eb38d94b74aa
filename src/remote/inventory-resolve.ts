import type { EntryFields, Host, Inventory, JumpHost, ParsedEntry } from './inventory-types.js';

/** A problem found across entries (duplicates, jump hosts), at a path of the inventory. */
export interface InventoryProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

// `[user@]host[:port]`; an IPv6 address goes in brackets, as in ssh's ProxyJump.
const JUMP_SPEC = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^@:\s[\]]+)(?::(\d{1,5}))?$/;

/**
 * Applies the defaults to every entry and resolves jump hosts. Checked here, since they
 * need every entry at once: unique names, jump hosts that exist, no host that is its own
 * jump host, no chains (a jump host with a jump host of its own).
 */
export function resolveHosts(
  entries: readonly ParsedEntry[],
  defaults: EntryFields,
): { inventory: Inventory; problems: InventoryProblem[] } {
  const problems: InventoryProblem[] = [];
  const indexOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = indexOf.get(entry.name);
    if (first === undefined) indexOf.set(entry.name, index);
    else
      problems.push({
        path: ['hosts', index, 'name'],
        message: `duplicate name "${entry.name}" (also hosts[${first}])`,
      });
  });
  const merged = entries.map((entry) => applyDefaults(entry, defaults));
  // The default jump host does not jump through itself.
  const jumpSpecOf = (index: number): { spec: string; path: (string | number)[] } | undefined => {
    const entry = entries[index]!;
    if (entry.jump !== undefined) return { spec: entry.jump, path: ['hosts', index, 'jump'] };
    if (defaults.jump !== undefined && defaults.jump !== entry.name)
      return { spec: defaults.jump, path: ['defaults', 'jump'] };
    return undefined;
  };
  const reported = new Set<string>();
  const report = (problem: InventoryProblem): void => {
    const key = `${problem.path.join('.')}\u0000${problem.message}`;
    if (!reported.has(key)) problems.push(problem);
    reported.add(key);
  };
  const hosts = merged.map((host, index): Host => {
    const jumpSpec = jumpSpecOf(index);
    if (jumpSpec === undefined) return host;
    const { spec, path } = jumpSpec;
    const target = indexOf.get(spec);
    if (target === undefined) {
      const outside = parseJumpSpec(spec);
      if (typeof outside === 'string') report({ path, message: outside });
      return typeof outside === 'string' ? host : { ...host, jump: outside };
    }
    if (target === index) {
      report({ path, message: `"${host.name}" cannot be its own jump host` });
      return host;
    }
    if (jumpSpecOf(target) !== undefined) {
      report({
        path: ['hosts', target, 'jump'],
        message: `"${spec}" is a jump host (of "${host.name}"), so it cannot have a jump host itself: chains are not supported`,
      });
    }
    return { ...host, jump: toJumpHost(merged[target]!) };
  });
  return { inventory: { hosts }, problems };
}

function applyDefaults(entry: ParsedEntry, defaults: EntryFields): Host {
  const host: Writable<Host> = {
    name: entry.name,
    host: entry.host ?? entry.name,
    port: entry.port ?? defaults.port ?? 22,
    groups: [...new Set([...(defaults.groups ?? []), ...(entry.groups ?? [])])],
    tags: [...new Set([...(defaults.tags ?? []), ...(entry.tags ?? [])])],
  };
  const user = entry.user ?? defaults.user;
  if (user !== undefined) host.user = user;
  const identityFile = entry.identityFile ?? defaults.identityFile;
  if (identityFile !== undefined) host.identityFile = identityFile;
  return host;
}

function toJumpHost(host: Host): JumpHost {
  const jump: Writable<JumpHost> = { name: host.name, host: host.host, port: host.port };
  if (host.user !== undefined) jump.user = host.user;
  if (host.identityFile !== undefined) jump.identityFile = host.identityFile;
  return jump;
}

/** A jump host outside the inventory, or why the text is not one. */
function parseJumpSpec(spec: string): JumpHost | string {
  const match = JUMP_SPEC.exec(spec);
  const [, user, address = '', port] = match ?? [];
  if (!match || address.startsWith('-') || user?.startsWith('-')) {
    return `"${spec}" is neither a host of this inventory nor [user@]host[:port]`;
  }
  // A bare word is far more often a misspelt inventory name than a short DNS name.
  if (user === undefined && port === undefined && !/[.[]/.test(address)) {
    return `"${spec}" is not a host of this inventory (for a host outside it, write user@${spec} or ${spec}:22)`;
  }
  const portNumber = port === undefined ? 22 : Number(port);
  if (portNumber < 1 || portNumber > 65535) return `"${spec}": a port is from 1 to 65535`;
  const jump: Writable<JumpHost> = { host: address.replace(/^\[(.*)\]$/, '$1'), port: portNumber };
  if (user !== undefined) jump.user = user;
  return jump;
}
