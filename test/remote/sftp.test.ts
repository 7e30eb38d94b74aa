import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSftp, type SftpOptions } from '../../src/remote/sftp.js';
import { generateKey, type Sshd, sftpTestsEnabled, startSshd } from '../helpers/sshd.js';

const enabled = sftpTestsEnabled();

describe.skipIf(!enabled)('openSftp() against a real OpenSSH sshd', () => {
  let sshd: Sshd;
  let work: string;
  let knownHostsPath: string;
  const options = (more: SftpOptions = {}): SftpOptions => ({
    knownHostsPath,
    privateKeys: [sshd.userKey.path],
    agent: false,
    connectTimeoutMs: 15_000,
    retries: 1,
    ...more,
  });
  const target = () => ({ name: 'local', host: '127.0.0.1', port: sshd.port });

  beforeAll(async () => {
    sshd = await startSshd({ sftp: true });
    work = mkdtempSync(join(tmpdir(), 'sre-kit-sftp-'));
    knownHostsPath = join(work, 'known_hosts');
    writeFileSync(knownHostsPath, `${sshd.knownHostsLines().join('\n')}\n`);
  });
  afterAll(async () => {
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes a file atomically (no temp file left), keeps the mode it replaces, reads it back', async () => {
    const path = join(work, 'app.json');
    writeFileSync(path, '{"old":true}\n');
    chmodSync(path, 0o640);
    await using sftp = await openSftp(target(), options());
    expect(sftp.host).toBe('local');
    expect(await sftp.stat(path)).toEqual({ sizeBytes: 13, mode: 0o640 });
    expect((await sftp.readFile(path)).toString()).toBe('{"old":true}\n');
    await sftp.writeFile(path, '{"new":true}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    // A new file gets 0o644 (or the mode asked for), whatever sftp-server's umask.
    const fresh = join(work, 'fresh.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, index) => index % 251));
    await sftp.writeFile(fresh, bytes, { mode: 0o600 });
    expect(readFileSync(fresh).equals(bytes)).toBe(true);
    expect((await sftp.readFile(fresh)).equals(bytes)).toBe(true);
    await expect(sftp.readFile(fresh, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'SRE_FILE_IO',
      message: `Cannot read ${fresh} on local: 300000 bytes is over maxBytes (1000)`,
    });
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await sftp.remove(fresh);
    await sftp.remove(fresh); // already gone: not an error
    expect(await sftp.stat(fresh)).toBeUndefined();
  });

  it('reports a missing file, a missing directory and an unwritable one as FileErrors naming host and path', async () => {
    await using sftp = await openSftp(target(), options());
    const missing = join(work, 'nope.json');
    await expect(sftp.readFile(missing)).rejects.toMatchObject({
      code: 'SRE_FILE_NOT_FOUND',
      message: expect.stringContaining(`Cannot read ${missing} on local over SFTP`),
      details: { host: 'local', path: missing },
    });
    const inMissingDir = join(work, 'no-dir', 'app.json');
    await expect(sftp.writeFile(inMissingDir, 'x')).rejects.toMatchObject({ code: 'SRE_FILE_NOT_FOUND' });
    if (process.getuid?.() !== 0) {
      const locked = mkdtempSync(join(work, 'locked-'));
      chmodSync(locked, 0o500);
      await expect(sftp.writeFile(join(locked, 'a'), 'x')).rejects.toMatchObject({
        code: 'SRE_FILE_PERMISSION',
      });
    }
  });

  it('checks the host key first, as collect() does', async () => {
    const other = mkdtempSync(join(work, 'keys-'));
    const stranger = generateKey(other, 'stranger');
    const wrongKnownHosts = join(other, 'known_hosts');
    writeFileSync(
      wrongKnownHosts,
      `[127.0.0.1]:${sshd.port} ${stranger.publicLine.split(' ').slice(0, 2).join(' ')}\n`,
    );
    await expect(openSftp(target(), options({ knownHostsPath: wrongKnownHosts }))).rejects.toMatchObject({
      code: 'SRE_REMOTE_HOST_KEY_CHANGED',
    });
    await expect(openSftp(target(), options({ knownHostsPath: join(other, 'empty') }))).rejects.toMatchObject(
      {
        code: 'SRE_REMOTE_HOST_KEY_UNKNOWN',
      },
    );
    await expect(openSftp(target(), options({ operationTimeoutMs: 0 }))).rejects.toMatchObject({
      code: 'SRE_USAGE',
    });
  });

  it('says when the host has no SFTP subsystem', async () => {
    const bare = await startSshd();
    try {
      const known = join(work, 'bare_known_hosts');
      writeFileSync(known, `${bare.knownHostsLines().join('\n')}\n`);
      await expect(
        openSftp(
          { host: '127.0.0.1', port: bare.port },
          { ...options(), knownHostsPath: known, privateKeys: [bare.userKey.path] },
        ),
      ).rejects.toMatchObject({ code: 'SRE_REMOTE_COMMAND_FAILED', message: /has no SFTP subsystem/ });
    } finally {
      await bare.stop();
    }
  });
});
