import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH known_hosts files: parsing, matching a host against each line, and the verdict
 * on a presented host key. The file format is sshd(8)'s "SSH_KNOWN_HOSTS FILE FORMAT":
 * `[@marker] patterns keytype base64-key [comment]`, patterns being a comma-separated list
 * with `*` / `?` wildcards and `!` negation, or one hashed name `|1|salt|hmac-sha1`.
 */

/** One usable line of a known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number, for messages. */
  readonly line: number;
  readonly marker: 'cert-authority' | 'revoked' | undefined;
  /** Host patterns (lower-cased, possibly negated with `!`); empty for a hashed entry. */
  readonly patterns: readonly string[];
  /** The salt and HMAC-SHA1 of a hashed (`|1|…`) entry. */
  readonly hashed: { readonly salt: Buffer; readonly hash: Buffer } | undefined;
  /** The key type named on the line, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  /** The public key in SSH wire format (the base64 field, decoded). */
  readonly key: Buffer;
}

/** A parsed known_hosts file; lines that are not valid entries are counted, not kept. */
export interface KnownHosts {
  readonly entries: readonly KnownHostsEntry[];
  /** Lines that were neither an entry, a comment nor blank. */
  readonly invalidLines: readonly number[];
}

/** What known_hosts says about a presented host key. */
export type HostKeyVerdict =
  | { readonly status: 'match'; readonly entry: KnownHostsEntry }
  | { readonly status: 'revoked'; readonly entry: KnownHostsEntry }
  | { readonly status: 'changed'; readonly known: readonly KnownHostsEntry[] }
  | { readonly status: 'cert-authority'; readonly entries: readonly KnownHostsEntry[] }
  | { readonly status: 'unknown' };

/** Parses the text of a known_hosts file. Never throws: a bad line is listed in `invalidLines`. */
export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostsEntry[] = [];
  const invalidLines: number[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const trimmed = (lines[index] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const entry = parseLine(trimmed, index + 1);
    if (entry === undefined) invalidLines.push(index + 1);
    else entries.push(entry);
  }
  return { entries, invalidLines };
}

function parseLine(text: string, line: number): KnownHostsEntry | undefined {
  const fields = text.split(/\s+/);
  let marker: KnownHostsEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift();
    if (name === '@cert-authority') marker = 'cert-authority';
    else if (name === '@revoked') marker = 'revoked';
    else return undefined;
  }
  const [hosts, keyType, base64] = fields;
  if (hosts === undefined || keyType === undefined || base64 === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const key = Buffer.from(base64, 'base64');
  // The blob names its own type first; a line whose two types disagree is corrupt.
  if (keyTypeOf(key) !== keyType) return undefined;
  if (hosts.startsWith('|')) {
    const hashed = parseHashed(hosts);
    return hashed === undefined ? undefined : { line, marker, patterns: [], hashed, keyType, key };
  }
  const patterns = hosts.toLowerCase().split(',');
  if (patterns.some((pattern) => pattern === '' || pattern === '!')) return undefined;
  return { line, marker, patterns, hashed: undefined, keyType, key };
}

function parseHashed(field: string): KnownHostsEntry['hashed'] {
  const match = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/.exec(field);
  if (match === null) return undefined;
  const salt = Buffer.from(match[1]!, 'base64');
  const hash = Buffer.from(match[2]!, 'base64');
  return salt.length === 20 && hash.length === 20 ? { salt, hash } : undefined;
}

/** The key type a wire-format public key names first (`ssh-ed25519`), or `undefined`. */
export function keyTypeOf(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || key.length < 4 + length) return undefined;
  return key.subarray(4, 4 + length).toString('latin1');
}

/**
 * The name a host is looked up by, as OpenSSH writes it: `host` on port 22, else
 * `[host]:port`; lower-cased.
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Whether an entry's host field matches a lookup name from {@link knownHostsName}. */
export function entryMatches(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hashed !== undefined) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    const negated = pattern.startsWith('!');
    if (!wildcardMatch(negated ? pattern.slice(1) : pattern, name)) continue;
    // A matching negation excludes the host whatever else matches (OpenSSH match_hostname).
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` one character, nothing else special. */
function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Judges a presented host key. In order: a key listed on any `@revoked` line is refused
 * for every host (stricter than OpenSSH, which applies the line to the hosts it names: a
 * revoked key is compromised wherever it is used); a plain line for this host with this
 * key is a match; plain lines for this host with other keys (of any type) mean the key
 * changed; an `@cert-authority` line for this host means its keys are vouched for by a
 * certificate, which ssh2 cannot check; else the host is unknown.
 */
export function judgeHostKey(
  knownHosts: KnownHosts,
  host: string,
  port: number,
  key: Buffer,
  forHost: readonly KnownHostsEntry[] = entriesForHost(knownHosts, host, port),
): HostKeyVerdict {
  const revoked = knownHosts.entries.find((entry) => entry.marker === 'revoked' && entry.key.equals(key));
  if (revoked !== undefined) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === undefined);
  const match = plain.find((entry) => entry.key.equals(key));
  if (match !== undefined) return { status: 'match', entry: match };
  if (plain.length > 0) return { status: 'changed', known: plain };
  const authorities = forHost.filter((entry) => entry.marker === 'cert-authority');
  if (authorities.length > 0) return { status: 'cert-authority', entries: authorities };
  return { status: 'unknown' };
}

/**
 * The lines (other than `@revoked`) whose host field matches a host. One pass over the
 * file, with an HMAC per hashed line: worth computing once per host.
 */
export function entriesForHost(knownHosts: KnownHosts, host: string, port: number): KnownHostsEntry[] {
  const name = knownHostsName(host, port);
  return knownHosts.entries.filter((entry) => entry.marker !== 'revoked' && entryMatches(entry, name));
}

/** The key types of plain lines among `entries` (from {@link entriesForHost}), most recent line first. */
export function knownKeyTypes(entries: readonly KnownHostsEntry[]): string[] {
  const types = entries
    .filter((entry) => entry.marker === undefined)
    .map((entry) => entry.keyType)
    .reverse();
  return [...new Set(types)];
}

/** OpenSSH's fingerprint of a public key: `SHA256:` and the unpadded base64 of its SHA-256. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A known_hosts line for a host and key (without the newline): `[host]:port type base64`,
 * or with the name hashed (`|1|salt|hash`, as `HashKnownHosts yes` writes it).
 */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, hash = false): string {
  const name = knownHostsName(host, port);
  const type = keyTypeOf(key) ?? 'unknown';
  if (!hash) return `${name} ${type} ${key.toString('base64')}`;
  const salt = randomBytes(20);
  const digest = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${digest.toString('base64')} ${type} ${key.toString('base64')}`;
}
