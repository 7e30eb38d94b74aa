import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RemoteError } from '../errors/index.js';
import { withLock } from '../fs/lock.js';
import { toFileError } from '../fs/paths.js';
import type { Logger } from '../internal/logger.js';
import {
  entriesForHost,
  fingerprint,
  formatKnownHostsLine,
  judgeHostKey,
  type KnownHosts,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts.js';
import { refusal } from './ssh-host-key-errors.js';

/**
 * What to do with a host key: `'strict'` accepts only keys in known_hosts; `'accept-new'`
 * also trusts a host seen for the first time and records its key (a changed key is still
 * refused); `'off'` accepts any key, and must be asked for by that name.
 */
export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

/** The host key check of one connection, made by {@link HostKeyChecker.forHost}. */
export interface HostKeyCheck {
  /** Host key algorithms in order of preference: the types known_hosts has for the host first. */
  readonly algorithms: string[];
  /** ssh2's hostVerifier: true to go on. A refusal is kept in `rejection`. */
  verify(key: Buffer): boolean;
  /** Why `verify` refused, as the error the host is reported with. */
  readonly rejection: RemoteError | undefined;
  /** Records a key trusted on first use; call once the handshake proved the server holds it. */
  commit(): Promise<void>;
}

/** Checks host keys against one known_hosts file for one run of `collect`. */
export interface HostKeyChecker {
  /** Reads the file (once): a missing file is empty, an unreadable one a FileError. */
  load(): Promise<void>;
  forHost(host: string, port: number): HostKeyCheck;
}

// ssh2's server host key algorithms, in its default order; a key type maps to the
// algorithms that present a key of that type.
const DEFAULT_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
const ALGORITHMS_OF: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
};

export function createHostKeyChecker(options: {
  path: string;
  policy: HostKeyPolicy;
  hash: boolean;
  logger: Logger;
}): HostKeyChecker {
  const { path, policy, logger } = options;
  let knownHosts: KnownHosts = { entries: [], invalidLines: [] };
  let fileExists = false;
  let loaded: Promise<void> | undefined;

  const read = async (): Promise<string | undefined> => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw toFileError(error, path, 'read the known_hosts file');
    }
  };
  const use = (text: string | undefined) => {
    fileExists = text !== undefined;
    knownHosts = parseKnownHosts(text ?? '');
  };

  return {
    load() {
      if (policy === 'off') {
        logger.warn({ knownHostsPath: path }, "hostKeyPolicy 'off': host keys are not checked");
        return Promise.resolve();
      }
      loaded ??= read().then((text) => {
        use(text);
        if (knownHosts.invalidLines.length > 0) {
          logger.warn({ knownHostsPath: path, lines: knownHosts.invalidLines }, 'known_hosts lines ignored');
        }
      });
      return loaded;
    },
    forHost(host, port) {
      let rejection: RemoteError | undefined;
      let pending: Buffer | undefined;
      const forHost = policy === 'off' ? [] : entriesForHost(knownHosts, host, port);
      const known = knownKeyTypes(forHost);
      const preferred = known.flatMap((type) => ALGORITHMS_OF[type] ?? [type]);
      const algorithms = [...new Set([...preferred, ...DEFAULT_ALGORITHMS])].filter(
        (name) => DEFAULT_ALGORITHMS.includes(name) || name === 'ssh-dss',
      );
      return {
        algorithms,
        get rejection() {
          return rejection;
        },
        verify(key) {
          if (policy === 'off') return true;
          const verdict = judgeHostKey(knownHosts, host, port, key, forHost);
          if (verdict.status === 'match') return true;
          if (verdict.status === 'unknown' && policy === 'accept-new') {
            pending = key;
            return true;
          }
          rejection = refusal(verdict, { host, port, key, path, fileExists });
          return false;
        },
        async commit() {
          if (pending === undefined) return;
          const key = pending;
          pending = undefined;
          await trustOnFirstUse(host, port, key);
        },
      };
    },
  };

  /** Appends the key under the file's lock, unless another writer recorded this host meanwhile. */
  async function trustOnFirstUse(host: string, port: number, key: Buffer): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw toFileError(error, dirname(path), 'create the directory of');
    }
    await withLock(path, async () => {
      const text = await read();
      use(text);
      const verdict = judgeHostKey(knownHosts, host, port, key);
      if (verdict.status === 'match') return;
      if (verdict.status !== 'unknown') throw refusal(verdict, { host, port, key, path, fileExists });
      const line = formatKnownHostsLine(host, port, key, options.hash);
      const separator = text === undefined || text === '' || text.endsWith('\n') ? '' : '\n';
      try {
        await appendFile(path, `${separator}${line}\n`, { mode: 0o600 });
      } catch (error) {
        throw toFileError(error, path, 'append to');
      }
      use(`${text ?? ''}${separator}${line}\n`);
      logger.info(
        { host, port, fingerprint: fingerprint(key), knownHostsPath: path },
        'host key trusted on first use and added to known_hosts',
      );
    });
  }
}
