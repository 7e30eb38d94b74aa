import { AbortError, RemoteError } from '../errors/index.js';

/**
 * Where a connection attempt was when it failed. The stage decides the code: before the
 * TCP connection a failure is SRE_REMOTE_CONNECT(_TIMEOUT); during key exchange
 * SRE_REMOTE_HANDSHAKE; during authentication SRE_REMOTE_AUTH, unless the connection
 * itself broke (then it is a handshake failure, and may be retried: nothing ran yet).
 */
export type ConnectStage = 'tcp' | 'handshake' | 'auth';

/** An error as ssh2 and node:net emit it. */
export type SshLibraryError = Error & { level?: string; code?: string | number; description?: string };

/** How the address reads in messages: `127.0.0.1:2222`, and the jump host when there is one. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** `via jump host bastion:22`, when the connection goes through one. */
  readonly via?: string;
}

const where = (endpoint: Endpoint) =>
  `${endpoint.host}:${endpoint.port}${endpoint.via === undefined ? '' : ` (${endpoint.via})`}`;

// Transient socket failures: the host or the path to it may recover; retrying costs little.
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** A TCP-level failure: DNS, refused, unreachable. */
export function tcpError(error: SshLibraryError, endpoint: Endpoint): RemoteError {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const details = { host: endpoint.host, port: endpoint.port, errno: code ?? null, stage: 'tcp' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    // A name that does not exist will not exist a second later; a resolver timeout may pass.
    return new RemoteError('SRE_REMOTE_CONNECT', `Cannot resolve ${endpoint.host}: ${code}`, {
      cause: error,
      details,
      retryable: code === 'EAI_AGAIN',
    });
  }
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
        ? 'host unreachable'
        : error.message;
  return new RemoteError('SRE_REMOTE_CONNECT', `Cannot connect to ${where(endpoint)}: ${reason}`, {
    cause: error,
    details,
    retryable: code === undefined || TRANSIENT.has(code),
  });
}

/** The connection attempt passed `connectTimeoutMs`. */
export function connectTimeoutError(stage: ConnectStage, endpoint: Endpoint, timeoutMs: number): RemoteError {
  const details = { host: endpoint.host, port: endpoint.port, stage, connectTimeoutMs: timeoutMs };
  if (stage === 'tcp') {
    return new RemoteError(
      'SRE_REMOTE_CONNECT_TIMEOUT',
      `No TCP connection to ${where(endpoint)} within ${timeoutMs} ms`,
      { details },
    );
  }
  return new RemoteError(
    'SRE_REMOTE_HANDSHAKE',
    `The SSH ${stage === 'auth' ? 'authentication' : 'handshake'} with ${where(endpoint)} did not finish within ${timeoutMs} ms`,
    { details, retryable: true },
  );
}

/** A failure that ssh2 reported, or the connection closing, before the session was ready. */
export function sshError(
  error: SshLibraryError | undefined,
  stage: Exclude<ConnectStage, 'tcp'>,
  endpoint: Endpoint,
  auth: { username: string; methods: string },
): RemoteError {
  const details = { host: endpoint.host, port: endpoint.port, stage, level: error?.level ?? null };
  const socketLevel =
    error === undefined ||
    error.level === 'client-socket' ||
    /^Connection lost before handshake$|^No response from server$/.test(error.message);
  if (stage === 'auth' && !socketLevel) {
    const reason =
      error.message === 'All configured authentication methods failed'
        ? `every method was rejected (tried ${auth.methods})`
        : `${error.message} (tried ${auth.methods})`;
    return new RemoteError(
      'SRE_REMOTE_AUTH',
      `Authentication as ${auth.username} on ${where(endpoint)} failed: ${reason}`,
      { cause: error, details: { ...details, user: auth.username } },
    );
  }
  if (socketLevel) {
    // sshd's MaxStartups drops extra unauthenticated connections exactly like this: a
    // connection closed before or during the handshake, nothing run yet. Worth another try.
    const what = stage === 'auth' ? 'during authentication' : 'before the SSH handshake finished';
    const reason = error === undefined ? 'closed' : error.message;
    return new RemoteError(
      'SRE_REMOTE_HANDSHAKE',
      `Connection to ${where(endpoint)} lost ${what}: ${reason}`,
      {
        cause: error,
        details,
        retryable: true,
      },
    );
  }
  // A key exchange that cannot agree, a bad signature, a peer that is not an SSH server:
  // the same will happen next time.
  return new RemoteError(
    'SRE_REMOTE_HANDSHAKE',
    `SSH handshake with ${where(endpoint)} failed: ${error.message}`,
    {
      cause: error,
      details,
      retryable: false,
    },
  );
}

/** The connection was lost after it was ready (keepalive timeout, reset), while commands ran. */
export function connectionLostError(error: SshLibraryError | undefined, endpoint: Endpoint): RemoteError {
  const reason = error === undefined ? 'closed by the host' : error.message;
  return new RemoteError('SRE_REMOTE_CONNECT', `Connection to ${where(endpoint)} lost: ${reason}`, {
    cause: error,
    details: { host: endpoint.host, port: endpoint.port, stage: 'session' },
    // Commands may have run: never retried.
    retryable: false,
  });
}

/** The run's signal was aborted. */
export function abortedError(signal: AbortSignal, what: string): AbortError {
  return new AbortError('SRE_ABORTED', `Aborted ${what}`, { cause: signal.reason });
}
