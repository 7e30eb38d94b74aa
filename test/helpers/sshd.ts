import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenSSH `sshd` (Debian's openssh-server) on 127.0.0.1, for the remote tests. Every
 * instance has its own temp dir: generated host keys, an authorized_keys file with a
 * generated user key, its own config and pid file. It runs in the foreground (`-D -e`), so
 * its log is this helper's to read and stopping it is one kill.
 */

export const SSHD_PATH = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

/** Whether sshd and ssh-keygen are installed; `reason` says what is missing. */
export function sshdAvailability(): { available: boolean; reason: string } {
  for (const path of [SSHD_PATH, SSH_KEYGEN]) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      return { available: false, reason: `${path} is not installed (apt-get install openssh-server)` };
    }
  }
  return { available: true, reason: '' };
}

/**
 * Whether the sshd tests run. Without sshd they are skipped, with the reason printed once;
 * under CI (process.env.CI set) a missing sshd is an error, since `.ci/run` installs it.
 */
export function sshdTestsEnabled(): boolean {
  const { available, reason } = sshdAvailability();
  if (available) return true;
  if (process.env.CI) throw new Error(`The sshd tests must run under CI, but ${reason}`);
  console.warn(`[sshd tests skipped] ${reason}`);
  return false;
}

/** Debian's SFTP server (package openssh-sftp-server, a dependency of openssh-server). */
export const SFTP_SERVER_PATH = '/usr/lib/openssh/sftp-server';

/**
 * Whether the tests that need sshd with its SFTP subsystem run: as {@link sshdTestsEnabled},
 * and the SFTP server must be installed too (under CI its absence is an error).
 */
export function sftpTestsEnabled(): boolean {
  if (!sshdTestsEnabled()) return false;
  try {
    accessSync(SFTP_SERVER_PATH, constants.X_OK);
    return true;
  } catch {
    const reason = `${SFTP_SERVER_PATH} is not installed (apt-get install openssh-sftp-server)`;
    if (process.env.CI) throw new Error(`The SFTP tests must run under CI, but ${reason}`);
    console.warn(`[sftp tests skipped] ${reason}`);
    return false;
  }
}

/** The OpenSSH version of the installed sshd, e.g. [9, 2]. */
function sshdVersion(): [number, number] {
  // `sshd -V` exists only from 9.x on; `ssh -V` is in the same package family and always works.
  let text = '';
  try {
    text = execFileSync('/usr/bin/ssh', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    text = String((error as { stderr?: unknown }).stderr ?? '');
  }
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

export interface KeyPair {
  /** The private key file (no passphrase unless one was given). */
  path: string;
  /** The public key line, `type base64 comment`. */
  publicLine: string;
  /** The private key file's text. */
  privateText: string;
}

/** Generates a key pair with ssh-keygen into `dir/name`. */
export function generateKey(
  dir: string,
  name: string,
  options: { type?: 'ed25519' | 'rsa' | 'ecdsa'; passphrase?: string; comment?: string } = {},
): KeyPair {
  const path = join(dir, name);
  const type = options.type ?? 'ed25519';
  const args = ['-q', '-t', type, '-N', options.passphrase ?? '', '-C', options.comment ?? name, '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  execFileSync(SSH_KEYGEN, args, { stdio: 'ignore' });
  return {
    path,
    publicLine: readFileSync(`${path}.pub`, 'utf8').trim(),
    privateText: readFileSync(path, 'utf8'),
  };
}

export interface StartSshdOptions {
  /** Host key types, each generated fresh. @default ['ed25519'] */
  hostKeyTypes?: ReadonlyArray<'ed25519' | 'rsa' | 'ecdsa'>;
  /** Reuse these host key files instead (to restart "the same host"). */
  hostKeyPaths?: readonly string[];
  /**
   * Keep sshd's default MaxStartups (10:30:100). Otherwise it is raised to 200:30:400 so
   * tests that connect many times at once are not dropped by it.
   * @default false
   */
  defaultMaxStartups?: boolean;
  /** More config lines, e.g. `['LogLevel DEBUG1']`; they take precedence over the helper's. */
  extraConfig?: readonly string[];
  /** Serve the SFTP subsystem ({@link SFTP_SERVER_PATH}); see {@link sftpTestsEnabled}. @default false */
  sftp?: boolean;
}

export interface Sshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The user the tests log in as: this process's user. */
  readonly user: string;
  /** The temp dir with keys, config and pid file. */
  readonly dir: string;
  /** The host keys' files and public lines. */
  readonly hostKeys: readonly KeyPair[];
  /** A user key pair that authorized_keys lists. */
  readonly userKey: KeyPair;
  /** `[127.0.0.1]:port type base64` for each host key: what known_hosts should say. */
  knownHostsLines(name?: string): string[];
  /** Adds a public key line to authorized_keys. */
  authorize(publicLine: string): void;
  /** Everything sshd has logged so far (LogLevel VERBOSE). */
  log(): string;
  /** Stops sshd (SIGTERM, then SIGKILL) and removes its temp dir. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound and released; sshd binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts sshd on 127.0.0.1 on a free port and resolves once it listens. Runs as root too
 * (root logs in with keys only: PermitRootLogin prohibit-password); then sshd needs its
 * privilege separation directory, /run/sshd, which is created if missing (as the package's
 * service unit would).
 */
export async function startSshd(options: StartSshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'sre-kit-sshd-'));
  try {
    const hostKeys = options.hostKeyPaths
      ? options.hostKeyPaths.map((path) => ({
          path,
          publicLine: readFileSync(`${path}.pub`, 'utf8').trim(),
          privateText: readFileSync(path, 'utf8'),
        }))
      : (options.hostKeyTypes ?? ['ed25519']).map((type) =>
          generateKey(dir, `ssh_host_${type}_key`, { type }),
        );
    const userKey = generateKey(dir, 'id_user');
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, `${userKey.publicLine}\n`, { mode: 0o600 });
    const isRoot = process.getuid?.() === 0;
    if (isRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const [major, minor] = sshdVersion();
    // Several attempts: the free port may be taken between freePort() and sshd's bind.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // sshd keeps the first value it reads for a keyword: the extra lines come first.
      const config = [
        ...(options.extraConfig ?? []),
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        ...hostKeys.map((key) => `HostKey ${key.path}`),
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PrintMotd no',
        'LogLevel VERBOSE',
        ...(isRoot ? ['PermitRootLogin prohibit-password'] : []),
        ...(options.defaultMaxStartups ? [] : ['MaxStartups 200:30:400']),
        // OpenSSH 9.8 added penalties that would lock 127.0.0.1 out after the tests' auth failures.
        ...(major > 9 || (major === 9 && minor >= 8) ? ['PerSourcePenalties no'] : []),
        ...(options.sftp ? [`Subsystem sftp ${SFTP_SERVER_PATH}`] : []),
      ];
      const configPath = join(dir, 'sshd_config');
      writeFileSync(configPath, `${config.join('\n')}\n`);
      const child = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
      });
      const started = await waitListening(child, () => log, port);
      if (started === true)
        return handle({ dir, port, hostKeys, userKey, authorizedKeys, child, log: () => log });
      if (attempt >= 5 || !/Bind to port|Address already in use/.test(log)) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`sshd did not start: ${started}\n${log}`);
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Resolves true once sshd logs that it listens, or a reason when it exits or takes over 10 s. */
function waitListening(child: ChildProcess, log: () => string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('no "Server listening" line within 10 s');
    }, 10_000);
    const check = () => {
      if (log().includes(`port ${port}.`)) {
        cleanup();
        resolve(true);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      resolve(`sshd exited with ${code}`);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
    };
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

function handle(state: {
  dir: string;
  port: number;
  hostKeys: KeyPair[];
  userKey: KeyPair;
  authorizedKeys: string;
  child: ChildProcess;
  log: () => string;
}): Sshd {
  const { dir, port, child } = state;
  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    dir,
    hostKeys: state.hostKeys,
    userKey: state.userKey,
    knownHostsLines(name = `[127.0.0.1]:${port}`) {
      return state.hostKeys.map((key) => `${name} ${key.publicLine.split(' ').slice(0, 2).join(' ')}`);
    },
    authorize(publicLine) {
      writeFileSync(state.authorizedKeys, `${publicLine}\n`, { flag: 'a' });
    },
    log: state.log,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', done);
        // SIGTERM ends the listener; sessions it forked end when their connections close.
        child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}
