import type { Duplex } from 'node:stream';
import ssh2, { type Client } from 'ssh2';
import type { RemoteError, SreError } from '../errors/index.js';
import type { Logger } from '../internal/logger.js';
import { type AuthPlan, createAuthHandler, describeAuthPlan } from './ssh-auth.js';
import {
  abortedError,
  type ConnectStage,
  connectionLostError,
  connectTimeoutError,
  type Endpoint,
  type SshLibraryError,
  sshError,
} from './ssh-errors.js';
import type { HostKeyChecker } from './ssh-host-key.js';
import { forward, forwardThrough, openTcp } from './ssh-socket.js';

/** An authenticated SSH connection. */
export interface SshSession {
  readonly client: Client;
  readonly endpoint: Endpoint;
  /** Why the connection ended by itself after it was ready; `undefined` while it is up. */
  readonly lost: RemoteError | undefined;
  /** Opens a TCP channel from the host to `host:port` (direct-tcpip, what ProxyJump uses). */
  forward(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
  /** Ends the connection politely; destroys it if it has not closed within a second. */
  close(): Promise<void>;
}

/** What one connection attempt needs. */
export interface ConnectOptions {
  readonly auth: AuthPlan;
  readonly hostKeys: HostKeyChecker;
  readonly timeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** A jump host session to reach the host through. */
  readonly via?: { readonly session: SshSession; readonly label: string };
}

const CLOSE_GRACE_MS = 1000;

/**
 * Opens a connection: TCP (or a channel through the jump host), the SSH handshake with the
 * host key checked before anything is sent, then authentication; all within `timeoutMs`.
 *
 * @throws RemoteError with the code of the stage that failed, or `SRE_ABORTED`.
 */
export async function openSession(host: string, port: number, options: ConnectOptions): Promise<SshSession> {
  const endpoint: Endpoint = options.via
    ? { host, port, via: `via jump host ${options.via.label}` }
    : { host, port };
  const started = performance.now();
  const sock = options.via
    ? await forwardThrough(options.via.session, endpoint, options.timeoutMs, options.signal)
    : await openTcp(endpoint, options.timeoutMs, options.signal);
  const remainingMs = Math.max(1, options.timeoutMs - (performance.now() - started));
  return handshake(sock, endpoint, remainingMs, options);
}

function handshake(
  sock: Duplex,
  endpoint: Endpoint,
  timeoutMs: number,
  options: ConnectOptions,
): Promise<SshSession> {
  const { signal, logger } = options;
  const check = options.hostKeys.forHost(endpoint.host, endpoint.port);
  const client = new ssh2.Client();
  let stage: Exclude<ConnectStage, 'tcp'> = 'handshake';
  let ready = false;
  let closed = false;
  let lost: RemoteError | undefined;
  let lastError: SshLibraryError | undefined;
  let commit: Promise<void> | undefined;
  const closedPromise = new Promise<void>((resolve) => client.once('close', () => resolve()));

  const session: SshSession = {
    client,
    endpoint,
    get lost() {
      return lost;
    },
    forward: (host, port, forwardSignal) => forward(client, endpoint, host, port, forwardSignal),
    async close() {
      if (closed) return;
      const timer = setTimeout(() => client.destroy(), CLOSE_GRACE_MS);
      client.end();
      await closedPromise;
      clearTimeout(timer);
    },
  };

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    const settle = (error: SreError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) {
        ready = true;
        return resolve(session);
      }
      client.destroy();
      sock.destroy();
      // The recorded key (if any) is written or failed by now; the caller sees only `error`.
      void (commit ?? Promise.resolve()).catch(() => {}).finally(() => reject(error));
    };
    const timer = setTimeout(
      () => settle(connectTimeoutError(stage, endpoint, options.timeoutMs)),
      timeoutMs,
    );
    const onAbort = () => settle(abortedError(signal, `while connecting to ${endpoint.host}`));
    signal.addEventListener('abort', onAbort, { once: true });
    const methods = describeAuthPlan(options.auth);
    const failure = (error: SshLibraryError | undefined) =>
      check.rejection ?? sshError(error, stage, endpoint, { username: options.auth.username, methods });

    client.on('handshake', () => {
      if (stage !== 'handshake') return; // a later re-key
      stage = 'auth';
      commit = check.commit();
      commit.catch((error: SreError) => settle(error));
    });
    client.on('ready', () => {
      void (commit ?? Promise.resolve()).then(() => settle(undefined), settle);
    });
    client.on('error', (error: SshLibraryError) => {
      if (ready) {
        lost ??= connectionLostError(error, endpoint);
        logger.debug(
          { host: endpoint.host, port: endpoint.port, error: error.message },
          'ssh connection error',
        );
        return;
      }
      // Not fatal: an agent that cannot be reached, a key that cannot sign. ssh2 goes on
      // with the next method and reports the end of the list itself.
      if (
        error.level === 'agent' ||
        (error.level === 'client-authentication' && !/^All configured/.test(error.message))
      ) {
        logger.debug(
          { host: endpoint.host, port: endpoint.port, error: error.message },
          'ssh auth method skipped',
        );
        return;
      }
      lastError = error;
      settle(failure(error));
    });
    client.on('close', () => {
      closed = true;
      if (ready) lost ??= connectionLostError(undefined, endpoint);
      else settle(failure(lastError));
    });
    try {
      client.connect({
        sock,
        username: options.auth.username,
        hostVerifier: (key: Buffer) => check.verify(key),
        authHandler: createAuthHandler(options.auth),
        algorithms: { serverHostKey: check.algorithms as never },
        // The deadline above covers the handshake and authentication; ssh2's own would not.
        readyTimeout: 0,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: options.keepaliveCountMax,
      });
    } catch (error) {
      settle(
        sshError(error as SshLibraryError, 'handshake', endpoint, {
          username: options.auth.username,
          methods,
        }),
      );
    }
  });
}
