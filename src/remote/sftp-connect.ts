import pRetry from 'p-retry';
import { ConfigError, isRetryable } from '../errors/index.js';
import { authPlan, connectJump, type RunContext } from './collect-host.js';
import { normalizeCollectOptions } from './collect-normalize.js';
import type { CollectHost, CollectOptions } from './collect-options.js';
import type { Host } from './inventory-types.js';
import { createKeyCache, loadPrivateKey } from './ssh-auth.js';
import { openSession, type SshSession } from './ssh-connect.js';
import { createHostKeyChecker } from './ssh-host-key.js';
import { createJumpPool } from './ssh-jump.js';

/** The connection options of `collect` that also apply to one SFTP connection. */
export type SftpConnectOptions = Pick<
  CollectOptions,
  | 'user'
  | 'privateKeys'
  | 'passphrase'
  | 'agent'
  | 'knownHostsPath'
  | 'hostKeyPolicy'
  | 'hashKnownHosts'
  | 'jump'
  | 'connectTimeoutMs'
  | 'retries'
  | 'keepaliveIntervalMs'
  | 'signal'
  | 'logger'
>;

/** One authenticated connection, with the jump host connection (if any) it goes through. */
export interface SftpTransport {
  readonly name: string;
  readonly session: SshSession;
  close(): Promise<void>;
}

/**
 * Connects to one host exactly as `collect()` does (same option checks, known_hosts policy,
 * keys then agent, jump host, connect deadline and retries of connect-phase failures only).
 *
 * @throws `SRE_USAGE` for bad options; the RemoteError of the connect stage that failed.
 */
export async function connectOne(
  fn: string,
  host: Host | CollectHost | string,
  options: SftpConnectOptions,
): Promise<SftpTransport> {
  const normalized = normalizeCollectOptions(fn, [host], options);
  const target = normalized.targets[0];
  if (target === undefined) throw new ConfigError('SRE_USAGE', `${fn}(): a host is required`);
  const signal = normalized.signal ?? new AbortController().signal;
  const hostKeys = createHostKeyChecker({
    path: normalized.knownHostsPath,
    policy: normalized.hostKeyPolicy,
    hash: normalized.hashKnownHosts,
    logger: normalized.logger,
  });
  await hostKeys.load();
  const globalKeys = await Promise.all(
    normalized.privateKeys.map((key, index) =>
      loadPrivateKey(
        key,
        typeof key === 'string' ? key : `privateKeys[${index}] (a Secret)`,
        normalized.passphrase,
      ),
    ),
  );
  const context: RunContext = {
    options: normalized,
    hostKeys,
    globalKeys,
    keyFile: createKeyCache(normalized.passphrase),
    jumps: createJumpPool((jump) => connectJump(context, jump, signal)),
    metricsCommand: undefined,
  };
  try {
    const auth = await authPlan(context, target.user, target.identityFile);
    const session = await pRetry(
      async () => {
        const via = target.jump && {
          session: await context.jumps.acquire(target.jump),
          label: target.jump.label,
        };
        return openSession(target.host, target.port, {
          auth,
          hostKeys,
          timeoutMs: normalized.connectTimeoutMs,
          keepaliveIntervalMs: normalized.keepaliveIntervalMs,
          keepaliveCountMax: 3,
          signal,
          logger: normalized.logger,
          ...(via ? { via } : {}),
        });
      },
      {
        retries: normalized.retry.retries,
        minTimeout: normalized.retry.minDelayMs,
        maxTimeout: normalized.retry.maxDelayMs,
        factor: normalized.retry.factor,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => !signal.aborted && isRetryable(error),
      },
    );
    return {
      name: target.name,
      session,
      async close() {
        await session.close();
        await context.jumps.closeAll();
      },
    };
  } catch (error) {
    await context.jumps.closeAll();
    throw error;
  }
}
