import { hasBrand } from './brand.js';
import type { ErrorForCode, SreError } from './classes.js';
import type { SreErrorCode } from './codes.js';

/**
 * Whether `value` is an sre-kit error, from this copy of the package or any other.
 *
 * @example
 * ```ts
 * import { isSreError } from 'sre-kit/errors';
 *
 * try {
 *   await deploy();
 * } catch (error) {
 *   if (isSreError(error) && error.retryable) await deploy();
 *   else throw error;
 * }
 * ```
 */
export function isSreError(value: unknown): value is SreError {
  return hasBrand(value);
}

/**
 * Whether `value` is an sre-kit error with this code; narrows it to the code's class.
 *
 * @example
 * ```ts
 * import { hasCode } from 'sre-kit/errors';
 *
 * try {
 *   await deploy();
 * } catch (error) {
 *   if (hasCode(error, 'SRE_LOCK_TIMEOUT')) console.error('another deploy holds', error.details.lockPath);
 *   else throw error;
 * }
 * ```
 */
export function hasCode<C extends SreErrorCode>(value: unknown, code: C): value is ErrorForCode<C> {
  return hasBrand(value) && (value as { code?: unknown }).code === code;
}
