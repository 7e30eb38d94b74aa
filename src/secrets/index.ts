/**
 * Secret values that never print, and redaction of secrets in text.
 *
 * @module secrets
 */
export {
  CREDENTIAL_PATTERNS,
  createRedactor,
  type Redactor,
  type RedactorOptions,
  redact,
} from './redact.js';
export { isSecret, Secret } from './secret.js';
