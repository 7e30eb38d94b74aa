import { spawn } from 'node:child_process';
import { accessSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRetryable } from '../../src/errors/index.js';
import { collect, collectStream } from '../../src/remote/collect.js';
import { normalizeCollectOptions } from '../../src/remote/collect-normalize.js';
import { remoteCommandLine } from '../../src/remote/ssh-command-line.js';
import { connectTimeoutError, sshError, tcpError } from '../../src/remote/ssh-errors.js';
import { Secret } from '../../src/secrets/secret.js';
import { expectNoSecretIn } from '../helpers/leaks.js';
import { generateKey, sshdTestsEnabled } from '../helpers/sshd.js';

const haveKeygen = sshdTestsEnabled();
const work = mkdtempSync(join(tmpdir(), 'sre-kit-collect-options-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const usage = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'SRE_USAGE' });

describe('collect() options and hosts', () => {
  it('rejects unknown options, naming the right one for common other names', async () => {
    await expect(collect([], { timeout: 5 } as never)).rejects.toThrow(
      'unknown option "timeout": it is called connectTimeoutMs',
    );
    await expect(collect([], { strictHostKeyChecking: 'no' } as never)).rejects.toThrow(
      'it is called hostKeyPolicy',
    );
    await expect(collect([], { privateKey: 'x' } as never)).rejects.toThrow('it is called privateKeys');
    await expect(collect([], { colour: 'blue' } as never)).rejects.toMatchObject({ code: 'SRE_USAGE' });
  });

  it("turns host key checking off only when asked by name: hostKeyPolicy: 'off'", async () => {
    for (const value of [false, 'no', 'none', 0, null]) {
      await expect(collect([], { hostKeyPolicy: value } as never)).rejects.toThrow(
        "expected 'strict', 'accept-new' or 'off'",
      );
    }
    expect(normalizeCollectOptions('collect', [], { hostKeyPolicy: 'off' }).hostKeyPolicy).toBe('off');
    expect(normalizeCollectOptions('collect', [], {}).hostKeyPolicy).toBe('strict');
  });

  it('checks numbers, lists and functions', async () => {
    await usage(collect([], { concurrency: 0 }));
    await usage(collect([], { connectTimeoutMs: -1 }));
    await usage(collect([], { retries: 1.5 }));
    await usage(collect([], { retries: { retries: 2, delay: 5 } as never }));
    await usage(collect([], { metrics: ['cpu', 'gpu'] as never }));
    await usage(collect([], { commands: { empty: '' } }));
    await usage(collect([], { signal: 'stop' as never }));
    await usage(collect([], { logger: console.log as never }));
    await usage(collect([], { privateKeys: [42] as never }));
    await usage(collect([], { passphrase: 'plain text' as never }));
  });

  it('takes inventory hosts, objects and [user@]host[:port] strings, with unique names', () => {
    const normalized = normalizeCollectOptions(
      'collect',
      [
        'deploy@web1.example.com:2222',
        '[::1]:22',
        { name: 'db', host: '10.0.0.5', groups: ['db'], tags: [] } as never,
        { host: 'cache', jump: 'ops@bastion:2200' },
      ],
      { user: 'sre', jump: { host: 'default-bastion' } },
    );
    expect(normalized.targets).toEqual([
      expect.objectContaining({
        name: 'deploy@web1.example.com:2222',
        host: 'web1.example.com',
        port: 2222,
        user: 'deploy',
      }),
      expect.objectContaining({ name: '[::1]:22', host: '::1', port: 22, user: 'sre' }),
      expect.objectContaining({ name: 'db', host: '10.0.0.5', port: 22, user: 'sre' }),
      expect.objectContaining({ name: 'cache', host: 'cache' }),
    ]);
    expect(normalized.targets[2]?.jump).toMatchObject({ host: 'default-bastion', port: 22, user: 'sre' });
    expect(normalized.targets[3]?.jump).toMatchObject({ host: 'bastion', port: 2200, user: 'ops' });
    expect(() => normalizeCollectOptions('collect', ['a', 'a'], {})).toThrow('the name "a" is used twice');
    expect(() => normalizeCollectOptions('collect', ['-oProxyCommand=x'], {})).toThrow(
      'is not [user@]host[:port]',
    );
    expect(() => normalizeCollectOptions('collect', ['web:70000'], {})).toThrow('a port is from 1 to 65535');
    expect(() => normalizeCollectOptions('collect', [{ host: '' }], {})).toThrow();
  });

  it('reads SSH_AUTH_SOCK and the home directory at the call, not at import', () => {
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      process.env.SSH_AUTH_SOCK = '/run/agent.sock';
      expect(normalizeCollectOptions('collect', [], {}).agent).toBe('/run/agent.sock');
      expect(normalizeCollectOptions('collect', [], { agent: false }).agent).toBeUndefined();
      delete process.env.SSH_AUTH_SOCK;
      expect(normalizeCollectOptions('collect', [], {}).agent).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
    expect(normalizeCollectOptions('collect', [], {}).knownHostsPath).toMatch(/\/\.ssh\/known_hosts$/);
  });

  it('collectStream validates at the call', () => {
    expect(() => collectStream([], { concurrency: -1 })).toThrow(
      expect.objectContaining({ code: 'SRE_USAGE' }),
    );
  });

  it('an empty host list is an empty result', async () => {
    await expect(collect([], { knownHostsPath: join(work, 'none') })).resolves.toEqual([]);
  });
});

describe('errors that concern every host end the call before any connection', () => {
  it('a private key that cannot be read', async () => {
    await expect(
      collect(['127.0.0.1:1'], {
        privateKeys: [join(work, 'missing_key')],
        knownHostsPath: join(work, 'kh'),
      }),
    ).rejects.toMatchObject({ code: 'SRE_FILE_NOT_FOUND' });
  });

  it.skipIf(!haveKeygen)('an encrypted key without its passphrase, named but never shown', async () => {
    const key = generateKey(work, 'locked', { passphrase: 'open sesame' });
    const error = await collect(['127.0.0.1:1'], {
      privateKeys: [new Secret(key.privateText)],
      knownHostsPath: join(work, 'kh'),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SRE_CONFIG_INVALID' });
    expect((error as Error).message).toContain('privateKeys[0] (a Secret)');
    expect((error as Error).message).toContain('pass its passphrase as the "passphrase" option');
    expectNoSecretIn([error], [key.privateText]);
  });

  it.skipIf(!haveKeygen)('a public key given as a private key', async () => {
    const key = generateKey(work, 'public-only');
    const error = await collect(['127.0.0.1:1'], {
      privateKeys: [`${key.path}.pub`],
      knownHostsPath: join(work, 'kh'),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SRE_CONFIG_INVALID' });
  });

  it("a host's own key file that cannot be read fails that host only", async () => {
    const results = await collect(
      [{ name: 'a', host: '127.0.0.1', port: 1, identityFile: join(work, 'nope') }],
      {
        knownHostsPath: join(work, 'kh'),
        agent: false,
      },
    );
    expect(results).toEqual([
      expect.objectContaining({
        host: 'a',
        ok: false,
        error: expect.objectContaining({ code: 'SRE_FILE_NOT_FOUND' }),
      }),
    ]);
  });
});

describe('how failures are classified', () => {
  const endpoint = { host: 'web1', port: 22 };
  const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

  it('DNS, refused and unreachable are SRE_REMOTE_CONNECT; a name that does not exist is not retried', () => {
    expect(tcpError(errno('ENOTFOUND'), endpoint)).toMatchObject({
      code: 'SRE_REMOTE_CONNECT',
      retryable: false,
    });
    expect(tcpError(errno('EAI_AGAIN'), endpoint)).toMatchObject({
      code: 'SRE_REMOTE_CONNECT',
      retryable: true,
    });
    expect(tcpError(errno('ECONNREFUSED'), endpoint)).toMatchObject({
      code: 'SRE_REMOTE_CONNECT',
      retryable: true,
      message: 'Cannot connect to web1:22: connection refused',
    });
    expect(tcpError(errno('EHOSTUNREACH'), endpoint).message).toContain('host unreachable');
  });

  it('a deadline is a connect timeout before TCP, a handshake failure after; both retryable', () => {
    expect(connectTimeoutError('tcp', endpoint, 500)).toMatchObject({
      code: 'SRE_REMOTE_CONNECT_TIMEOUT',
      retryable: true,
    });
    expect(connectTimeoutError('handshake', endpoint, 500)).toMatchObject({
      code: 'SRE_REMOTE_HANDSHAKE',
      retryable: true,
    });
    expect(connectTimeoutError('auth', endpoint, 500).message).toContain('authentication');
  });

  it('a connection cut before or during authentication may be retried; a failed login or key exchange may not', () => {
    const auth = { username: 'root', methods: 'key ~/.ssh/id_ed25519' };
    const cut = Object.assign(new Error('Connection lost before handshake'), { level: 'protocol' });
    const reset = Object.assign(errno('ECONNRESET'), { level: 'client-socket' });
    const rejected = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    });
    const noKex = Object.assign(new Error('Handshake failed: no matching key exchange algorithm'), {
      level: 'handshake',
    });
    expect(sshError(cut, 'handshake', endpoint, auth)).toMatchObject({
      code: 'SRE_REMOTE_HANDSHAKE',
      retryable: true,
    });
    expect(sshError(reset, 'auth', endpoint, auth)).toMatchObject({
      code: 'SRE_REMOTE_HANDSHAKE',
      retryable: true,
    });
    expect(sshError(undefined, 'handshake', endpoint, auth)).toMatchObject({
      code: 'SRE_REMOTE_HANDSHAKE',
      retryable: true,
    });
    expect(sshError(rejected, 'auth', endpoint, auth)).toMatchObject({
      code: 'SRE_REMOTE_AUTH',
      retryable: false,
    });
    expect(sshError(rejected, 'auth', endpoint, auth).message).toBe(
      'Authentication as root on web1:22 failed: every method was rejected (tried key ~/.ssh/id_ed25519)',
    );
    expect(sshError(noKex, 'handshake', endpoint, auth)).toMatchObject({
      code: 'SRE_REMOTE_HANDSHAKE',
      retryable: false,
    });
    expect(isRetryable(sshError(rejected, 'auth', endpoint, auth))).toBe(false);
  });

  it('remote commands run under LC_ALL=C, with the command passed as one quoted word', () => {
    const line = remoteCommandLine(`echo "it's" $HOME`);
    expect(line).toMatch(/^env LC_ALL=C sh -c '[^']+' sre-kit 'echo "it'\\''s" \$HOME'$/);
  });
});

/** Whether perl is there (perl-base is an essential Debian package). */
const havePerl = (() => {
  try {
    accessSync('/usr/bin/perl');
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!havePerl)('a host whose TCP handshake never completes', () => {
  it('is SRE_REMOTE_CONNECT_TIMEOUT after connectTimeoutMs, and retried', { timeout: 30_000 }, async () => {
    // A socket that listens with a backlog of 0 and never accepts: once its accept queue is
    // full, Linux drops further SYNs, so connecting hangs (as it does to a black-holed address).
    const perl = spawn(
      '/usr/bin/perl',
      [
        '-MSocket',
        '-e',
        'socket(my $s, PF_INET, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die;' +
          ' listen($s, 0) or die; my ($port) = unpack_sockaddr_in(getsockname($s)); $| = 1; print "$port\\n"; sleep 60;',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const fillers: Socket[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        perl.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        perl.once('exit', () => reject(new Error('perl exited')));
      });
      for (let index = 0; index < 3; index++) {
        const filler = connect(port, '127.0.0.1');
        filler.on('error', () => {});
        fillers.push(filler);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const knownHostsPath = join(work, 'kh');
      writeFileSync(knownHostsPath, '');
      const warnings: unknown[] = [];
      const started = performance.now();
      const [result] = await collect([{ name: 'blackhole', host: '127.0.0.1', port }], {
        knownHostsPath,
        agent: false,
        connectTimeoutMs: 500,
        retries: { retries: 1, minDelayMs: 50, maxDelayMs: 50 },
        logger: { debug() {}, info() {}, error() {}, warn: (object) => warnings.push(object) },
      });
      expect(result?.error).toEqual({
        code: 'SRE_REMOTE_CONNECT_TIMEOUT',
        message: `No TCP connection to 127.0.0.1:${port} within 500 ms`,
      });
      expect(warnings).toEqual([expect.objectContaining({ code: 'SRE_REMOTE_CONNECT_TIMEOUT', attempt: 1 })]);
      // Two attempts of 500 ms each; without the connect timeout this would hang on the filled backlog.
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const filler of fillers) filler.destroy();
      perl.kill('SIGKILL');
    }
  });
});
