/**
 * Secrets: values that never print, safe reading from the environment and files, redaction
 * of secrets in text, and a resumable, audited rotation workflow.
 *
 * @module secrets
 */
export type { AuditEntry, AuditSink } from './audit.js';
export type { PermissionPolicy } from './permissions.js';
export { type ReadSecretOptions, readSecret, type SecretSource } from './read.js';
export {
  CREDENTIAL_PATTERNS,
  createRedactor,
  type Redactor,
  type RedactorOptions,
  redact,
} from './redact.js';
export {
  type RotateSecretOptions,
  type RotationContext,
  type RotationResult,
  rotateSecret,
  type SecretProvider,
} from './rotate.js';
export { isSecret, Secret } from './secret.js';
export {
  FileSecretStore,
  type JournalEntry,
  type RotationState,
  type RotationStep,
  type SecretRecord,
  type SecretStage,
  type SecretStore,
  type SecretVersion,
} from './store.js';
