import type { Logger } from '../internal/logger.js';
import type { Secret } from '../secrets/secret.js';
import type { MetricName } from './metrics-types.js';
import type { HostKeyPolicy } from './ssh-host-key.js';
import type { HostResult } from './types.js';

/**
 * A bastion to reach a host through (OpenSSH's ProxyJump): an inventory `JumpHost`, or the
 * fields that matter here.
 */
export interface CollectJump {
  /** How messages name it. @default host:port */
  readonly name?: string | undefined;
  readonly host: string;
  /** @default 22 */
  readonly port?: number | undefined;
  /** @default the `user` option */
  readonly user?: string | undefined;
  /** A private key file for the bastion, tried before the `privateKeys` option. */
  readonly identityFile?: string | undefined;
}

/** A host to collect from: an inventory `Host`, or the fields that matter here. */
export interface CollectHost {
  /** What the result names the host by. @default host */
  readonly name?: string;
  /** The address to connect to. */
  readonly host: string;
  /** @default 22 */
  readonly port?: number;
  /** @default the `user` option */
  readonly user?: string;
  /** A private key file for this host, tried before the `privateKeys` option. */
  readonly identityFile?: string;
  /** The bastion to go through, `[user@]host[:port]` or an object; overrides the `jump` option. */
  readonly jump?: CollectJump | string;
}

/** Backoff of the connect retries (p-retry's, with `Ms` names). */
export interface RetryOptions {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** The first wait; each later one is `factor` times longer, and each is randomised to 1–2×. @default 250 */
  minDelayMs?: number;
  /** @default 4000 */
  maxDelayMs?: number;
  /** @default 2 */
  factor?: number;
}

/** What `onProgress` gets after each host. */
export interface CollectProgress {
  readonly total: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  /** The host that just finished. */
  readonly result: HostResult;
}

/** Options of `collect` and `collectStream`. */
export interface CollectOptions {
  /** Named commands to run on every host; each result is under its name in `commands`. */
  commands?: Readonly<Record<string, string>>;
  /**
   * Built-in metrics to read (`true`: all of `cpu`, `memory`, `disk`, `load`, `uptime`,
   * `os`), in one extra command per host. A metric that cannot be read is in
   * `metrics.errors` and makes the host not ok. @default none
   */
  metrics?: boolean | readonly MetricName[];
  /** Time between the two /proc/stat samples of the `cpu` metric. @default 200 */
  cpuSampleMs?: number;
  /** Hosts worked on at once (connections open at once). @default 32 */
  concurrency?: number;
  /** Deadline of one connection attempt: TCP, SSH handshake and authentication. @default 10000 */
  connectTimeoutMs?: number;
  /** Deadline of each command (and of the metrics command); it is then stopped on the host. @default 60000 */
  commandTimeoutMs?: number;
  /**
   * Retries of a connection attempt that failed on the way (refused, reset, dropped by sshd's
   * MaxStartups, timed out): never after a command started, never after an authentication
   * failure or a host key refusal. A number, or the backoff in full.
   * @default 3 (250 ms, 500 ms, 1 s, each randomised to 1–2×)
   */
  retries?: number | RetryOptions;
  /** Aborting it closes every connection; hosts not finished are reported with `SRE_ABORTED`. */
  signal?: AbortSignal;
  /**
   * Called after each host, in completion order. If it throws, the run stops (connections
   * closed) and `collect` rejects with that error.
   */
  onProgress?: (progress: CollectProgress) => void;
  /** Gets debug/info/warn records: attempts, retries, trusted keys. Never key material. */
  logger?: Logger;
  /** The login user of hosts that name none. @default the current user */
  user?: string;
  /** Private keys tried on every host: paths, or the key text as a `Secret`. @default none */
  privateKeys?: ReadonlyArray<string | Secret>;
  /** Decrypts the private keys that are encrypted. */
  passphrase?: Secret;
  /** The ssh-agent socket, tried after the keys; `false` for none. @default process.env.SSH_AUTH_SOCK */
  agent?: string | false;
  /** @default ~/.ssh/known_hosts */
  knownHostsPath?: string;
  /** `'strict'`, `'accept-new'` or `'off'`; see {@link HostKeyPolicy}. @default 'strict' */
  hostKeyPolicy?: HostKeyPolicy;
  /** Write the names of keys trusted under `'accept-new'` hashed (`|1|…`), as `HashKnownHosts yes`. @default false */
  hashKnownHosts?: boolean;
  /** A bastion for every host that names none: `[user@]host[:port]` or a {@link CollectJump}. */
  jump?: string | CollectJump;
  /** Channels (commands) open at once on one connection: sshd's default MaxSessions. @default 10 */
  maxSessions?: number;
  /** Keepalive interval; three unanswered keepalives end the connection. @default 15000 */
  keepaliveIntervalMs?: number;
  /** Bytes kept of each command's stdout and of its stderr; past it the command is stopped. @default 1 MiB */
  maxOutputBytes?: number;
}
