// A fleet of real OpenSSH sshd processes on 127.0.0.2 … 127.0.0.(N+1), one fixed port, at
// most 16 addresses per sshd (its limit on ListenAddress), one host key shared by the fleet
// and one user key. Adapted from test/helpers/sshd.ts, which starts one sshd on 127.0.0.1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SSHD_PATH = '/usr/sbin/sshd';
const ADDRESSES_PER_SSHD = 16;

/** What the contenders need to reach the fleet. */
export interface FleetAccess {
  /** 127.0.0.2 …, one per host. */
  addresses: string[];
  port: number;
  user: 'root';
  /** The user's private key (ed25519, no passphrase). */
  keyPath: string;
  /** known_hosts listing every address with the fleet's host key. */
  knownHostsPath: string;
}

export interface Fleet extends FleetAccess {
  /** sshd's own MaxStartups, or the raised one. */
  maxStartups: string;
  /** Connections the sshds dropped past MaxStartups so far (from their VERBOSE logs). */
  drops(): number;
  /**
   * CPU the sshds have used so far, in ms: the listeners' own and that of every connection
   * process they reaped (each with its session and the commands it ran), from /proc.
   */
  serverCpuMs(): number;
  stop(): Promise<void>;
  /** SIGKILL to every sshd listener at once, synchronously: the last resort on exit. */
  killNow(): void;
}

/** Keys and known_hosts for a fleet of `hosts`, written once into `dir` and shared by every start. */
export function writeFleetKeys(dir: string, hosts: number, port: number): FleetAccess {
  const keygen = (name: string) => {
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
    return join(dir, name);
  };
  const hostKey = keygen('ssh_host_ed25519_key');
  const keyPath = keygen('id_ed25519');
  writeFileSync(join(dir, 'authorized_keys'), execFileSync('cat', [`${keyPath}.pub`]), { mode: 0o600 });
  const addresses = Array.from({ length: hosts }, (_, index) => `127.0.0.${index + 2}`);
  const hostPublic = execFileSync('cat', [`${hostKey}.pub`], { encoding: 'utf8' })
    .split(' ')
    .slice(0, 2)
    .join(' ');
  const name = (address: string) => (port === 22 ? address : `[${address}]:${port}`);
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, addresses.map((address) => `${name(address)} ${hostPublic}\n`).join(''));
  return { addresses, port, user: 'root', keyPath, knownHostsPath };
}

/**
 * Starts one sshd per 16 addresses and resolves once all listen. `maxStartups` undefined keeps
 * sshd's default (10:30:100). Runs as root (`PermitRootLogin prohibit-password`).
 */
export async function startFleet(dir: string, access: FleetAccess, maxStartups?: string): Promise<Fleet> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const stop = () => stopAll(children);
  try {
    for (let first = 0; first < access.addresses.length; first += ADDRESSES_PER_SSHD) {
      const index = children.length;
      const addresses = access.addresses.slice(first, first + ADDRESSES_PER_SSHD);
      const configPath = join(dir, `sshd_config.${index}`);
      writeFileSync(
        configPath,
        `${sshdConfig(dir, index, addresses, access.port, maxStartups).join('\n')}\n`,
      );
      const child = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      logs[index] = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        // Only the drop lines are kept: a full VERBOSE log of thousands of logins is not needed.
        for (const line of chunk.split('\n'))
          if (line.includes('past MaxStartups')) logs[index] += `${line}\n`;
      });
      await waitListening(child, addresses.length);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ...access,
    maxStartups: maxStartups ?? '10:30:100 (default)',
    drops: () => logs.reduce((sum, log) => sum + (log.match(/past MaxStartups/g)?.length ?? 0), 0),
    stop,
    serverCpuMs: () => children.reduce((sum, child) => sum + treeCpuMs(child.pid), 0),
    killNow: () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function sshdConfig(
  dir: string,
  index: number,
  addresses: readonly string[],
  port: number,
  maxStartups: string | undefined,
): string[] {
  return [
    `Port ${port}`,
    ...addresses.map((address) => `ListenAddress ${address}`),
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'PrintLastLog no',
    // VERBOSE is the level at which sshd logs the connections it drops past MaxStartups.
    'LogLevel VERBOSE',
    ...(maxStartups === undefined ? [] : [`MaxStartups ${maxStartups}`]),
    // bash sources ~/.bashrc for a command over ssh when SHLVL < 2 (Debian's SSH_SOURCE_BASHRC);
    // root's here runs `pyenv init`, tens of ms of server CPU per login, the same for every tool.
    'SetEnv SHLVL=1',
  ];
}

/** Resolves once sshd logged a "Server listening" line per address; rejects on exit or after 10 s. */
function waitListening(child: ChildProcess, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => done(new Error(`sshd did not listen within 10 s:\n${log}`)), 10_000);
    const onData = (chunk: string) => {
      log += chunk;
      if ((log.match(/Server listening on/g)?.length ?? 0) >= count) done();
    };
    const onExit = (code: number | null) => done(new Error(`sshd exited with ${code}:\n${log}`));
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM to every listener (their forked sessions end with their connections), SIGKILL after 3 s. */
function stopAll(children: readonly ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** utime + stime + cutime + cstime of a process: its own CPU and its reaped descendants'. */
function treeCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
