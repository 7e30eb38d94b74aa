import { safeGet } from '../internal/json-safe.js';
import { hasBrand } from './brand.js';

/**
 * Node errno codes that describe a passing condition. ENOTFOUND is left out on purpose:
 * a name that does not resolve rarely starts resolving a second later, and retrying it
 * only delays the real error.
 */
const RETRYABLE_ERRNO = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EBUSY',
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRINUSE',
  // fetch (undici) reports its network failures with these codes on the cause.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether trying again may succeed: an sre-kit error's own `retryable` flag, or a Node
 * error whose errno code is transient (ECONNRESET, ETIMEDOUT, EAI_AGAIN, EBUSY, EMFILE…),
 * looked for along the cause chain. Abort errors are never retryable.
 *
 * @example
 * ```ts
 * import pRetry from 'p-retry';
 * import { isRetryable } from 'sre-kit/errors';
 *
 * await pRetry(() => fetchInventory(), { retries: 3, shouldRetry: ({ error }) => isRetryable(error) });
 * ```
 */
export function isRetryable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (hasBrand(current)) return safeGet(() => (current as { retryable?: unknown }).retryable) === true;
    const name = safeGet(() => (current as Error).name);
    if (name === 'AbortError') return false;
    // AbortSignal.timeout() aborts with a DOMException named TimeoutError: a deadline passed.
    if (name === 'TimeoutError') return true;
    const code = safeGet(() => (current as { code?: unknown }).code);
    if (typeof code === 'string' && RETRYABLE_ERRNO.has(code)) return true;
    current = safeGet(() => (current as { cause?: unknown }).cause);
  }
  return false;
}
