import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, uptime } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/internal/logger.js';
import { collect } from '../../src/remote/collect.js';
import { fingerprint } from '../../src/remote/known-hosts.js';
import { Secret } from '../../src/secrets/secret.js';
import { expectNoSecretIn } from '../helpers/leaks.js';
import { openFdCount, waitUntil } from '../helpers/processes.js';
import { generateKey, type Sshd, sshdTestsEnabled, startSshd } from '../helpers/sshd.js';

/** A logger that keeps every record. */
function recordingLogger() {
  const records: Array<{ level: string; message: string; object: Record<string, unknown> }> = [];
  const at =
    (level: string) =>
    (object: Record<string, unknown>, message = '') =>
      records.push({ level, message, object });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, records };
}

/** The public key blob of a `type base64 comment` line. */
const blobOf = (publicLine: string) => Buffer.from(publicLine.split(' ')[1] ?? '', 'base64');

const enabled = sshdTestsEnabled();

describe.skipIf(!enabled)('collect() against a real OpenSSH sshd', () => {
  let sshd: Sshd;
  let work: string;
  let knownHostsPath: string;
  const target = (name = 'local') => ({ name, host: '127.0.0.1', port: sshd.port });
  const base = () => ({
    knownHostsPath,
    privateKeys: [sshd.userKey.path],
    agent: false as const,
    connectTimeoutMs: 15_000,
    commandTimeoutMs: 20_000,
  });
  /** sshd's log from now on. */
  const logFrom = () => {
    const start = sshd.log().length;
    return () => sshd.log().slice(start);
  };

  beforeAll(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'sre-kit-collect-'));
    knownHostsPath = join(work, 'known_hosts');
    writeFileSync(knownHostsPath, `${sshd.knownHostsLines().join('\n')}\n`);
  });
  afterAll(async () => {
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs named commands with key auth, under LC_ALL=C, all on one connection', async () => {
    const log = logFrom();
    const [result] = await collect([target()], {
      ...base(),
      commands: {
        locale: 'echo "$LC_ALL"',
        user: 'id -un',
        both: 'echo out; echo err >&2',
        quote: `printf '%s\\n' "it's"`,
      },
    });
    expect(result).toMatchObject({ host: 'local', ok: true });
    expect(result?.error).toBeUndefined();
    expect(result?.commands).toEqual({
      locale: expect.objectContaining({ exitCode: 0, stdout: 'C', stderr: '' }),
      user: expect.objectContaining({ exitCode: 0, stdout: sshd.user }),
      both: expect.objectContaining({ exitCode: 0, stdout: 'out', stderr: 'err' }),
      quote: expect.objectContaining({ exitCode: 0, stdout: "it's" }),
    });
    expect(Object.keys(result?.commands ?? {})).toEqual(['locale', 'user', 'both', 'quote']);
    expect(log().match(/Accepted publickey/g)).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('reports a non-zero exit as SRE_REMOTE_COMMAND_FAILED, with the other commands still there', async () => {
    const [result] = await collect([target()], {
      ...base(),
      commands: { fine: 'echo fine', broken: 'echo "no such thing" >&2; exit 3' },
    });
    expect(result?.ok).toBe(false);
    expect(result?.error).toEqual({
      code: 'SRE_REMOTE_COMMAND_FAILED',
      message: 'Command broken exited with 3: no such thing',
    });
    expect(result?.commands.fine?.stdout).toBe('fine');
    expect(result?.commands.broken).toMatchObject({ exitCode: 3, stderr: 'no such thing' });
  });

  it('authenticates with a key given as a Secret and encrypted with a passphrase, and shows neither', async () => {
    const key = generateKey(work, 'encrypted', { passphrase: 'correct horse battery' });
    sshd.authorize(key.publicLine);
    const { logger, records } = recordingLogger();
    const options = {
      ...base(),
      privateKeys: [new Secret(key.privateText)],
      passphrase: new Secret('correct horse battery'),
      commands: { who: 'id -un' },
      logger,
    };
    const results = await collect([target()], options);
    expect(results[0]).toMatchObject({ ok: true, commands: { who: { stdout: sshd.user } } });
    const wrong = await collect([target()], { ...options, passphrase: new Secret('wrong') }).catch(
      (error: unknown) => error,
    );
    expect(wrong).toMatchObject({ code: 'SRE_CONFIG_INVALID' });
    expectNoSecretIn([results, records, wrong], [key.privateText, 'correct horse battery', 'wrong']);
  });

  it('authenticates with the ssh-agent of SSH_AUTH_SOCK', async () => {
    const key = generateKey(work, 'agent-key');
    sshd.authorize(key.publicLine);
    const socket = join(work, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      expect(await waitUntil(() => existsSync(socket), 5000)).toBe(true);
      execFileSync('ssh-add', [key.path], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      });
      process.env.SSH_AUTH_SOCK = socket;
      const log = logFrom();
      const [result] = await collect([target()], { knownHostsPath, commands: { who: 'id -un' } });
      expect(result).toMatchObject({ ok: true, commands: { who: { stdout: sshd.user } } });
      // The key that got in is the agent's (no key was given in the options).
      expect(log()).toContain(`Accepted publickey for ${sshd.user}`);
      expect(log()).toContain(fingerprint(blobOf(key.publicLine)));
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill();
    }
  });

  it('reports a key the host does not accept as SRE_REMOTE_AUTH, and does not retry it', async () => {
    const stranger = generateKey(work, 'stranger');
    const { logger, records } = recordingLogger();
    const log = logFrom();
    const [result] = await collect([target()], {
      ...base(),
      privateKeys: [stranger.path],
      retries: 3,
      logger,
      commands: { never: 'touch should-not-exist' },
    });
    expect(result?.ok).toBe(false);
    expect(result?.error?.code).toBe('SRE_REMOTE_AUTH');
    expect(result?.error?.message).toContain(
      `Authentication as ${sshd.user} on 127.0.0.1:${sshd.port} failed`,
    );
    expect(result?.error?.message).toContain(`key ${stranger.path}`);
    expect(result?.commands).toEqual({});
    expect(log().match(/Connection from/g)).toHaveLength(1);
    expect(records.filter((record) => record.message.startsWith('connect attempt failed'))).toHaveLength(1);
  });

  it("under 'strict', refuses an unknown host key before sending anything", async () => {
    const empty = join(work, 'empty_known_hosts');
    writeFileSync(empty, '');
    const log = logFrom();
    const [result] = await collect([target()], {
      ...base(),
      knownHostsPath: empty,
      commands: { never: 'true' },
    });
    expect(result?.error?.code).toBe('SRE_REMOTE_HOST_KEY_UNKNOWN');
    expect(result?.error?.message).toContain(fingerprint(blobOf(sshd.hostKeys[0]!.publicLine)));
    expect(result?.error?.message).toContain('Nothing was sent');
    // sshd saw a connection, and no authentication at all: not even a username.
    expect(log()).toContain('Connection from 127.0.0.1');
    expect(log()).not.toMatch(/publickey|Postponed|Accepted|Failed|for root|for \S+ from/);
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it("under 'accept-new', refuses a changed host key, showing both fingerprints", async () => {
    const impostor = generateKey(work, 'impostor-host-key');
    const changed = join(work, 'changed_known_hosts');
    const line = `[127.0.0.1]:${sshd.port} ${impostor.publicLine.split(' ').slice(0, 2).join(' ')}\n`;
    writeFileSync(changed, line);
    const log = logFrom();
    const [result] = await collect([target()], {
      ...base(),
      knownHostsPath: changed,
      hostKeyPolicy: 'accept-new',
    });
    expect(result?.error?.code).toBe('SRE_REMOTE_HOST_KEY_CHANGED');
    const real = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${sshd.hostKeys[0]!.path}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1];
    expect(result?.error?.message).toContain(real);
    expect(result?.error?.message).toContain(fingerprint(blobOf(impostor.publicLine)));
    expect(log()).not.toMatch(/publickey|Accepted/);
    expect(readFileSync(changed, 'utf8')).toBe(line);
  });

  it("under 'accept-new', records a new host once, in a file OpenSSH reads; 'strict' then accepts it", async () => {
    const fresh = join(work, 'fresh', 'known_hosts'); // the directory does not exist yet either
    const hosts = Array.from({ length: 5 }, (_, index) => target(`alias-${index}`));
    const results = await collect(hosts, { ...base(), knownHostsPath: fresh, hostKeyPolicy: 'accept-new' });
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true, true]);
    const text = readFileSync(fresh, 'utf8');
    expect(text).toBe(`${sshd.knownHostsLines()[0]}\n`);
    const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', fresh], {
      encoding: 'utf8',
    });
    expect(found).toContain(sshd.hostKeys[0]!.publicLine.split(' ')[1]);
    const [again] = await collect([target()], { ...base(), knownHostsPath: fresh });
    expect(again?.ok).toBe(true);
  });

  it('honours a hashed known_hosts entry (ssh-keygen -H)', async () => {
    const hashed = join(work, 'hashed_known_hosts');
    writeFileSync(hashed, `${sshd.knownHostsLines()[0]}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    const [result] = await collect([target()], {
      ...base(),
      knownHostsPath: hashed,
      commands: { up: 'true' },
    });
    expect(result?.ok).toBe(true);
  });

  it('stops a command at commandTimeoutMs, and the command and its children die on the host', async () => {
    const marker = `${31_000 + Math.floor(Math.random() * 1000)}.5`;
    const running = () =>
      readdirSync('/proc').some((pid) => {
        if (!/^\d+$/.test(pid)) return false;
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`sleep\0${marker}`);
        } catch {
          return false;
        }
      });
    const [result] = await collect([target()], {
      ...base(),
      commandTimeoutMs: 1500,
      // The sleep is a child of the command's shell: the whole process group must go.
      commands: { quick: 'echo done', slow: `sleep ${marker}; echo never` },
    });
    expect(result?.ok).toBe(false);
    expect(result?.error?.code).toBe('SRE_REMOTE_COMMAND_TIMEOUT');
    expect(result?.commands.quick).toMatchObject({ exitCode: 0, stdout: 'done' });
    expect(result?.commands.slow).toMatchObject({ exitCode: null, stdout: '' });
    expect(await waitUntil(() => !running(), 5000)).toBe(true);
  });

  it('reads every built-in metric from this Linux host', async () => {
    const [result] = await collect([target()], { ...base(), metrics: true, cpuSampleMs: 100 });
    expect(result?.error).toBeUndefined();
    const metrics = result?.metrics;
    expect(metrics?.errors).toBeUndefined();
    expect(metrics?.memory?.totalBytes).toBe(totalmem());
    expect(metrics?.os).toMatchObject({ kernelName: 'Linux', kernelRelease: release() });
    expect(Math.abs((metrics?.uptime?.seconds ?? 0) - uptime())).toBeLessThan(60);
    expect(metrics?.cpu?.count).toBeGreaterThanOrEqual(1);
    expect(metrics?.cpu?.count).toBeLessThanOrEqual(Math.max(cpus().length, 1024));
    expect(metrics?.cpu?.percent).toBeGreaterThanOrEqual(0);
    expect(metrics?.cpu?.percent).toBeLessThanOrEqual(100);
    expect(metrics?.load?.load1).toBeGreaterThanOrEqual(0);
    expect(metrics?.disk?.some((disk) => disk.mountPoint === '/')).toBe(true);
    expect(result?.commands).toEqual({});
  });

  it("runs a host's commands on one connection, at most maxSessions at a time (sshd's MaxSessions is 10)", async () => {
    const counting = mkdtempSync(join(work, 'sessions-'));
    // Each command prints how many commands run on the host while it sleeps.
    const commands = Object.fromEntries(
      Array.from({ length: 15 }, (_, index) => [
        `c${index}`,
        `touch ${counting}/$$; sleep 0.4; ls ${counting} | wc -l; rm ${counting}/$$`,
      ]),
    );
    const peak = (result: Awaited<ReturnType<typeof collect>>[number] | undefined) =>
      Math.max(...Object.values(result?.commands ?? {}).map((command) => Number(command.stdout)));
    const log = logFrom();
    const [byDefault] = await collect([target()], { ...base(), commands });
    expect(byDefault?.error).toBeUndefined();
    expect(Object.keys(byDefault?.commands ?? {})).toHaveLength(15);
    expect(peak(byDefault)).toBeLessThanOrEqual(10);
    expect(log().match(/Accepted publickey/g)).toHaveLength(1);

    const [three] = await collect([target()], { ...base(), commands, maxSessions: 3 });
    expect(three?.error).toBeUndefined();
    expect(peak(three)).toBeLessThanOrEqual(3);

    // Past sshd's limit the channels are refused ("no more sessions"); a refused channel is
    // opened again once another closes, since its command never started.
    const past = logFrom();
    const [fifteen] = await collect([target()], { ...base(), commands, maxSessions: 15 });
    expect(fifteen?.error).toBeUndefined();
    expect(past()).toContain('no more sessions');
    expect(peak(fifteen)).toBeLessThanOrEqual(10);
  });

  it('goes through a jump host (ProxyJump) on a second sshd', async () => {
    const jump = await startSshd({ extraConfig: ['LogLevel DEBUG1'] });
    try {
      jump.authorize(sshd.userKey.publicLine);
      const both = join(work, 'jump_known_hosts');
      writeFileSync(both, `${[...sshd.knownHostsLines(), ...jump.knownHostsLines()].join('\n')}\n`);
      const hosts = [
        { ...target('behind'), jump: { name: 'bastion', host: '127.0.0.1', port: jump.port } },
        { name: 'closed', host: '127.0.0.1', port: 1, jump: `127.0.0.1:${jump.port}` },
      ];
      const [behind, closed] = await collect(hosts, {
        ...base(),
        knownHostsPath: both,
        retries: 0,
        commands: { where: 'echo "$SSH_CONNECTION"' },
      });
      expect(behind).toMatchObject({ ok: true });
      // The target saw the jump host's connection; the jump host forwarded to the target.
      expect(behind?.commands.where?.stdout).toMatch(
        new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}$`),
      );
      expect(jump.log()).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${sshd.port}`));
      expect(closed?.error?.code).toBe('SRE_REMOTE_CONNECT');
      expect(closed?.error?.message).toMatch(/^Jump host 127\.0\.0\.1:\d+ could not reach 127\.0\.0\.1:1/);
    } finally {
      await jump.stop();
    }
  });

  it('leaves no socket or file descriptor open', async () => {
    const before = openFdCount();
    const results = await collect(
      [target('one'), target('two'), { name: 'refused', host: '127.0.0.1', port: 1 }],
      {
        ...base(),
        retries: 0,
        commands: { a: 'true', b: 'sleep 5' },
        commandTimeoutMs: 500,
      },
    );
    expect(results.map((result) => result.error?.code)).toEqual([
      'SRE_REMOTE_COMMAND_TIMEOUT',
      'SRE_REMOTE_COMMAND_TIMEOUT',
      'SRE_REMOTE_CONNECT',
    ]);
    expect(await waitUntil(() => openFdCount() <= before, 5000)).toBe(true);
  });
});
