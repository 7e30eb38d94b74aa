import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors/index.js';
import type { Logger } from '../../src/internal/logger.js';
import {
  entriesForHost,
  entryMatches,
  fingerprint,
  formatKnownHostsLine,
  judgeHostKey,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/remote/known-hosts.js';
import { createHostKeyChecker } from '../../src/remote/ssh-host-key.js';
import { generateKey, sshdTestsEnabled } from '../helpers/sshd.js';

const dir = mkdtempSync(join(tmpdir(), 'sre-kit-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A public key's wire-format blob and its `type base64` text. */
function makeKey(name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519') {
  const pair = generateKey(dir, name, { type });
  const [keyType = '', base64 = ''] = pair.publicLine.split(' ');
  return {
    blob: Buffer.from(base64, 'base64'),
    text: `${keyType} ${base64}`,
    type: keyType,
    path: pair.path,
  };
}

const haveKeygen = sshdTestsEnabled();
const a = haveKeygen ? makeKey('a') : undefined;
const b = haveKeygen ? makeKey('b') : undefined;
const rsa = haveKeygen ? makeKey('r', 'rsa') : undefined;

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe.skipIf(!haveKeygen)('known_hosts parsing and matching', () => {
  it('reads plain entries, comments, blank lines, and counts the lines it cannot read', () => {
    const text = [
      '# a comment',
      '',
      `web1.example.com,10.0.0.1 ${a!.text} a comment`,
      `[db.example.com]:2222 ${b!.text}`,
      'garbage line',
      `web2 ssh-rsa ${a!.text.split(' ')[1]}`, // the blob says ed25519: corrupt
      '@unknown-marker web3 ssh-ed25519 AAAA',
      `   indented.example.com ${a!.text}   `,
    ].join('\n');
    const parsed = parseKnownHosts(text);
    expect(parsed.entries.map((entry) => entry.line)).toEqual([3, 4, 8]);
    expect(parsed.invalidLines).toEqual([5, 6, 7]);
    expect(parsed.entries[0]).toMatchObject({
      patterns: ['web1.example.com', '10.0.0.1'],
      keyType: 'ssh-ed25519',
    });
  });

  it('looks hosts up as OpenSSH does: bare on port 22, [host]:port otherwise, case-insensitively', () => {
    expect(knownHostsName('Web1.Example.COM', 22)).toBe('web1.example.com');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    const { entries } = parseKnownHosts(`[DB.example.com]:2222 ${a!.text}\nweb1 ${a!.text}`);
    expect(entryMatches(entries[0]!, knownHostsName('db.example.com', 2222))).toBe(true);
    expect(entryMatches(entries[0]!, knownHostsName('db.example.com', 22))).toBe(false);
    expect(entryMatches(entries[1]!, knownHostsName('web1', 22))).toBe(true);
    expect(entryMatches(entries[1]!, knownHostsName('web1', 2222))).toBe(false);
  });

  it('understands wildcards and negation (a matching negation wins)', () => {
    const { entries } = parseKnownHosts(
      `*.example.com,!secret.example.com,web? ${a!.text}\n[*.lab]:22?? ${a!.text}`,
    );
    const [wild, port] = entries;
    expect(entryMatches(wild!, 'api.example.com')).toBe(true);
    expect(entryMatches(wild!, 'secret.example.com')).toBe(false);
    expect(entryMatches(wild!, 'web7')).toBe(true);
    expect(entryMatches(wild!, 'web77')).toBe(false);
    expect(entryMatches(wild!, 'example.com')).toBe(false);
    expect(entryMatches(port!, '[box.lab]:2201')).toBe(true);
    expect(entryMatches(port!, '[box.lab]:2301')).toBe(false);
  });

  it('matches entries hashed by ssh-keygen -H, and writes hashed lines that ssh-keygen -F finds', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `web1.example.com ${a!.text}\n[db.example.com]:2222 ${b!.text}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('example.com');
    const knownHosts = parseKnownHosts(text);
    expect(knownHosts.entries.every((entry) => entry.hashed !== undefined)).toBe(true);
    expect(judgeHostKey(knownHosts, 'web1.example.com', 22, a!.blob).status).toBe('match');
    expect(judgeHostKey(knownHosts, 'db.example.com', 2222, b!.blob).status).toBe('match');
    expect(judgeHostKey(knownHosts, 'db.example.com', 22, b!.blob).status).toBe('unknown');

    // And the other way round: our hashed line is one OpenSSH reads.
    const ours = join(dir, 'ours');
    writeFileSync(ours, `${formatKnownHostsLine('Box.Example.com', 2200, a!.blob, true)}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[box.example.com]:2200', '-f', ours], {
      encoding: 'utf8',
    });
    expect(found).toContain(a!.text.split(' ')[1]);
  });

  it('fingerprints keys exactly as ssh-keygen -l does', () => {
    for (const key of [a!, rsa!]) {
      const listed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key.path}.pub`], {
        encoding: 'utf8',
      });
      expect(listed).toContain(fingerprint(key.blob));
    }
  });
});

describe.skipIf(!haveKeygen)('judging a presented host key', () => {
  it('is a match, a changed key, or unknown', () => {
    const knownHosts = parseKnownHosts(`web1 ${a!.text}\n`);
    expect(judgeHostKey(knownHosts, 'web1', 22, a!.blob)).toMatchObject({ status: 'match' });
    expect(judgeHostKey(knownHosts, 'web1', 22, b!.blob)).toMatchObject({ status: 'changed' });
    expect(judgeHostKey(knownHosts, 'web2', 22, a!.blob)).toMatchObject({ status: 'unknown' });
  });

  it('calls a key of another type "changed" when the host is known (a MITM would present just that)', () => {
    const knownHosts = parseKnownHosts(`web1 ${rsa!.text}\n`);
    expect(judgeHostKey(knownHosts, 'web1', 22, a!.blob).status).toBe('changed');
    expect(knownKeyTypes(entriesForHost(knownHosts, 'web1', 22))).toEqual(['ssh-rsa']);
  });

  it('@revoked wins over any match, whichever host the revoked line names', () => {
    const text = `web1 ${a!.text}\n@revoked other.host ${a!.text}\n`;
    expect(judgeHostKey(parseKnownHosts(text), 'web1', 22, a!.blob)).toMatchObject({
      status: 'revoked',
      entry: { line: 2 },
    });
    expect(judgeHostKey(parseKnownHosts(`@revoked * ${a!.text}\n`), 'anything', 22, a!.blob).status).toBe(
      'revoked',
    );
  });

  it('@cert-authority fails closed: the host is not trusted through it, a plain line still counts', () => {
    const authority = `@cert-authority *.example.com ${b!.text}\n`;
    expect(judgeHostKey(parseKnownHosts(authority), 'web1.example.com', 22, a!.blob).status).toBe(
      'cert-authority',
    );
    const both = `${authority}web1.example.com ${a!.text}\n`;
    expect(judgeHostKey(parseKnownHosts(both), 'web1.example.com', 22, a!.blob).status).toBe('match');
  });
});

describe.skipIf(!haveKeygen)('the host key policies', () => {
  const path = (name: string) => join(dir, name);

  it("'strict' refuses an unknown key, and says so with its fingerprint and how to add it", async () => {
    const checker = createHostKeyChecker({
      path: path('absent'),
      policy: 'strict',
      hash: false,
      logger: silent,
    });
    await checker.load();
    const check = checker.forHost('10.1.1.1', 2222);
    expect(check.verify(a!.blob)).toBe(false);
    expect(check.rejection).toBeInstanceOf(RemoteError);
    expect(check.rejection?.code).toBe('SRE_REMOTE_HOST_KEY_UNKNOWN');
    expect(check.rejection?.message).toContain(fingerprint(a!.blob));
    expect(check.rejection?.message).toContain('(the file does not exist)');
    expect(check.rejection?.message).toContain('ssh-keyscan -p 2222 10.1.1.1');
  });

  it('a changed key shows both fingerprints', async () => {
    writeFileSync(path('changed'), `[10.1.1.1]:2222 ${a!.text}\n`);
    const checker = createHostKeyChecker({
      path: path('changed'),
      policy: 'accept-new',
      hash: false,
      logger: silent,
    });
    await checker.load();
    const check = checker.forHost('10.1.1.1', 2222);
    expect(check.verify(b!.blob)).toBe(false);
    expect(check.rejection?.code).toBe('SRE_REMOTE_HOST_KEY_CHANGED');
    expect(check.rejection?.message).toContain(fingerprint(a!.blob));
    expect(check.rejection?.message).toContain(fingerprint(b!.blob));
    await check.commit();
    expect(readFileSync(path('changed'), 'utf8')).toBe(`[10.1.1.1]:2222 ${a!.text}\n`);
  });

  it("'accept-new' records a new host once, under the lock, however many connections find it at once", async () => {
    const file = path('tofu');
    writeFileSync(file, `other ${b!.text}`); // no final newline: one is added before the new line
    const checker = createHostKeyChecker({ path: file, policy: 'accept-new', hash: false, logger: silent });
    await checker.load();
    const checks = Array.from({ length: 8 }, () => checker.forHost('10.1.1.2', 22));
    expect(checks.map((check) => check.verify(a!.blob))).toEqual(Array(8).fill(true));
    await Promise.all(checks.map((check) => check.commit()));
    expect(readFileSync(file, 'utf8')).toBe(`other ${b!.text}\n10.1.1.2 ${a!.text}\n`);
    // Now known: a match for this run, and for the next one under 'strict'.
    expect(checker.forHost('10.1.1.2', 22).verify(a!.blob)).toBe(true);
    const strict = createHostKeyChecker({ path: file, policy: 'strict', hash: false, logger: silent });
    await strict.load();
    expect(strict.forHost('10.1.1.2', 22).verify(a!.blob)).toBe(true);
  });

  it("'accept-new' refuses when another writer recorded a different key meanwhile", async () => {
    const file = path('race');
    writeFileSync(file, '');
    const checker = createHostKeyChecker({ path: file, policy: 'accept-new', hash: false, logger: silent });
    await checker.load();
    const check = checker.forHost('10.1.1.3', 22);
    expect(check.verify(a!.blob)).toBe(true);
    writeFileSync(file, `10.1.1.3 ${b!.text}\n`);
    await expect(check.commit()).rejects.toMatchObject({ code: 'SRE_REMOTE_HOST_KEY_CHANGED' });
    expect(readFileSync(file, 'utf8')).toBe(`10.1.1.3 ${b!.text}\n`);
  });

  it("'accept-new' never trusts a host that known_hosts vouches for through a certificate authority", async () => {
    writeFileSync(path('ca'), `@cert-authority *.corp ${b!.text}\n`);
    const checker = createHostKeyChecker({
      path: path('ca'),
      policy: 'accept-new',
      hash: false,
      logger: silent,
    });
    await checker.load();
    const check = checker.forHost('db.corp', 22);
    expect(check.verify(a!.blob)).toBe(false);
    expect(check.rejection?.code).toBe('SRE_REMOTE_HOST_KEY_UNKNOWN');
    expect(check.rejection?.message).toMatch(/certificate authority.*cannot be verified/);
  });

  it("'accept-new' can write hashed names", async () => {
    const file = path('tofu-hashed');
    const checker = createHostKeyChecker({ path: file, policy: 'accept-new', hash: true, logger: silent });
    await checker.load();
    const check = checker.forHost('secret-host.corp', 22);
    expect(check.verify(a!.blob)).toBe(true);
    await check.commit();
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain('secret-host');
    expect(judgeHostKey(parseKnownHosts(text), 'secret-host.corp', 22, a!.blob).status).toBe('match');
  });

  it("'off' accepts any key, reads no file, and logs that keys are not checked", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silent, warn: (_object, message) => warnings.push(message ?? '') };
    const checker = createHostKeyChecker({ path: path('absent'), policy: 'off', hash: false, logger });
    await checker.load();
    expect(checker.forHost('x', 22).verify(a!.blob)).toBe(true);
    expect(warnings).toEqual(["hostKeyPolicy 'off': host keys are not checked"]);
  });

  it('prefers the key types known_hosts has for the host', async () => {
    writeFileSync(path('types'), `10.1.1.4 ${rsa!.text}\n`);
    const checker = createHostKeyChecker({
      path: path('types'),
      policy: 'strict',
      hash: false,
      logger: silent,
    });
    await checker.load();
    expect(checker.forHost('10.1.1.4', 22).algorithms.slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(checker.forHost('unknown', 22).algorithms[0]).toBe('ssh-ed25519');
  });

  it('an unreadable known_hosts is an error before any connection', async () => {
    const checker = createHostKeyChecker({ path: dir, policy: 'strict', hash: false, logger: silent });
    await expect(checker.load()).rejects.toMatchObject({ code: 'SRE_FILE_IO' });
  });
});
