import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import {
  AbortError,
  ConfigError,
  ensureError,
  isRetryable,
  isSreError,
  SecretError,
} from '../errors/index.js';
import { type Logger, noopLogger } from '../internal/logger.js';
import { type AuditSink, writeAudit } from './audit.js';
import { createRedactor } from './redact.js';
import { Secret } from './secret.js';
import type { RotationState, RotationStep, SecretRecord, SecretStore } from './store.js';

/** What a provider's step is given. */
export interface RotationContext {
  /** The secret's id in the store. */
  id: string;
  rotationId: string;
  /** The id of the version being rotated in: use it as the idempotency key of `create`. */
  versionId: string;
  step: RotationStep;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * The system that issues credentials. Every step may be called again after a crash, so each
 * must be idempotent: `create` returns the same credential for the same `ctx.versionId`
 * (pass it to the issuer as its idempotency key or label); revoking a revoked credential
 * succeeds.
 */
export interface SecretProvider {
  /** Issues a new credential. */
  create(ctx: RotationContext): Promise<Secret>;
  /** Makes the consumers use `secret`. */
  deploy(ctx: RotationContext, secret: Secret): Promise<void>;
  /** Proves `secret` works; throwing fails the rotation and rolls it back. */
  test(ctx: RotationContext, secret: Secret): Promise<void>;
  /** Revokes `secret` at the issuer. */
  revoke(ctx: RotationContext, secret: Secret): Promise<void>;
}

/** Options of {@link rotateSecret}. */
export interface RotateSecretOptions {
  id: string;
  store: SecretStore;
  provider: SecretProvider;
  /** How long the previous credential stays valid after `finish`, for consumers still using it. @default 0 */
  overlapMs?: number;
  /** Wait for the overlap and revoke in this call (true), or leave the revoke to a later call (false). @default true */
  waitForOverlap?: boolean;
  /** Retries of a step whose error is retryable. @default 2 */
  retries?: number;
  /** Delay before the first retry. @default 200 */
  retryDelayMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** An append-only JSON-lines audit log (path) or a function receiving each entry. */
  audit?: AuditSink;
}

/** What a call of {@link rotateSecret} did. */
export interface RotationResult {
  id: string;
  rotationId: string;
  /** `rotated`: all steps done; `awaiting-revoke`: finished, previous revoked by a later call. */
  status: 'rotated' | 'awaiting-revoke';
  currentVersionId: string;
  previousVersionId: string | undefined;
  /** Whether this call resumed a rotation an earlier call left unfinished. */
  resumed: boolean;
  /** The steps this call ran. */
  steps: RotationStep[];
  revokeAfter: string | undefined;
}

const NEXT: Record<RotationStep, RotationStep | undefined> = {
  create: 'deploy',
  deploy: 'test',
  test: 'finish',
  finish: 'revoke',
  revoke: undefined,
  rollback: undefined,
};

/**
 * Rotates a credential in four steps, as AWS Secrets Manager does: `create` (stored as
 * `pending` before any consumer is touched), `deploy`, `test`, `finish` (pending becomes
 * current, the old current becomes previous), then `revoke` of the previous credential once
 * `overlapMs` has passed. Every step is journalled in the store before and after it runs, so
 * after a crash anywhere a new call resumes where the last one stopped, and no finished step
 * runs twice. A failed test rolls back: the current credential is deployed again and the
 * pending one revoked. A second rotation of the same id at the same time is refused.
 *
 * @throws `SRE_ROTATION_FAILED` naming the step and why (resumable unless it was the test),
 *   `SRE_LOCK_HELD` while another rotation of the id runs, `SRE_ABORTED`.
 *
 * @example
 * ```ts
 * import { FileSecretStore, rotateSecret, Secret } from 'sre-kit/secrets';
 *
 * await rotateSecret({
 *   id: 'billing-api',
 *   store: new FileSecretStore('/var/lib/rotation/secrets.json'),
 *   overlapMs: 60_000,
 *   audit: '/var/log/rotation.jsonl',
 *   provider: {
 *     create: async (ctx) => new Secret(await billing.issueKey({ label: ctx.versionId })),
 *     deploy: async (_ctx, key) => { await updateJson('/etc/app/keys.json', { billing: key.reveal() }); },
 *     test: async (_ctx, key) => { await billing.ping(key.reveal()); },
 *     revoke: async (_ctx, key) => { await billing.revokeKey(key.reveal()); },
 *   },
 * });
 * ```
 */
export async function rotateSecret(options: RotateSecretOptions): Promise<RotationResult> {
  if (
    !options.id ||
    typeof options.provider?.create !== 'function' ||
    typeof options.store?.update !== 'function'
  ) {
    throw new ConfigError(
      'SRE_USAGE',
      'rotateSecret(): id, store and provider (create, deploy, test, revoke) are required',
    );
  }
  return options.store.lock(options.id, () => new Rotation(options).run());
}

class Rotation {
  readonly #options: RotateSecretOptions;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #steps: RotationStep[] = [];
  #record!: SecretRecord;
  #state!: RotationState;
  #resumed = false;

  constructor(options: RotateSecretOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#signal = options.signal ?? new AbortController().signal;
  }

  async run(): Promise<RotationResult> {
    this.#record = (await this.#options.store.read(this.#options.id)) ?? { versions: [], journal: [] };
    if (this.#record.rotation) {
      this.#resumed = true;
      this.#state = this.#record.rotation;
      await this.#audit(this.#state.step, 'resumed');
    } else {
      const current = this.#record.versions.find((version) => version.stages.includes('current'));
      this.#state = {
        rotationId: randomUUID(),
        versionId: randomUUID(),
        ...(current ? { previousVersionId: current.versionId } : {}),
        step: 'create',
        status: 'started',
        startedAt: new Date().toISOString(),
      };
      await this.#save(() => {});
    }
    if (this.#state.step === 'rollback') {
      // A rollback cut short by a crash: finish it, and fail as the first call did.
      const failure = this.#state.failure;
      return this.#rollBack(
        Object.assign(new Error(failure?.message ?? 'the test step failed'), { code: failure?.code }),
      );
    }
    let step: RotationStep | undefined =
      this.#state.status === 'done' ? NEXT[this.#state.step] : this.#state.step;
    while (step !== undefined) {
      if (step === 'revoke' && !(await this.#overlapPassed())) return this.#result('awaiting-revoke');
      await this.#runStep(step);
      step = NEXT[step];
    }
    await this.#save((record) => {
      delete record.rotation;
    });
    return this.#result('rotated');
  }

  async #runStep(step: RotationStep): Promise<void> {
    this.#signal.throwIfAborted();
    await this.#mark(step, 'started');
    try {
      await this.#perform(step);
    } catch (thrown) {
      const error = ensureError(thrown);
      if (this.#signal.aborted)
        throw new AbortError('SRE_ABORTED', `Rotation of ${this.#options.id} aborted during ${step}`, {
          cause: error,
        });
      await this.#audit(step, 'failed', error);
      if (step === 'test') return this.#rollBack(error);
      throw this.#failure(step, error, true);
    }
    this.#steps.push(step);
    await this.#mark(step, 'done');
  }

  async #perform(step: RotationStep): Promise<void> {
    const { provider } = this.#options;
    if (step === 'create') {
      const secret = await this.#retry(step, (ctx) => provider.create(ctx));
      // Stored as pending before any consumer is touched: a crash from here on loses nothing.
      await this.#save((record) => {
        record.versions = record.versions.filter((version) => version.versionId !== this.#state.versionId);
        record.versions.push({
          versionId: this.#state.versionId,
          value: secret.reveal(),
          stages: ['pending'],
          createdAt: new Date().toISOString(),
        });
      });
    } else if (step === 'deploy') {
      await this.#retry(step, (ctx) => provider.deploy(ctx, this.#secret(this.#state.versionId)!));
    } else if (step === 'test') {
      await this.#retry(step, (ctx) => provider.test(ctx, this.#secret(this.#state.versionId)!));
    } else if (step === 'finish') {
      await this.#save((record, state) => {
        for (const version of record.versions) {
          if (version.versionId === state.versionId) version.stages = ['current'];
          else if (version.versionId === state.previousVersionId) version.stages = ['previous'];
          else version.stages = version.stages.filter((stage) => stage !== 'previous' && stage !== 'current');
        }
        state.revokeAfter = new Date(Date.now() + (this.#options.overlapMs ?? 0)).toISOString();
      });
    } else if (step === 'revoke') {
      const previous = this.#state.previousVersionId;
      const secret = previous === undefined ? undefined : this.#secret(previous);
      if (secret !== undefined) await this.#retry(step, (ctx) => provider.revoke(ctx, secret));
      if (previous !== undefined) await this.#markRevoked(previous);
    }
  }

  async #rollBack(cause: Error): Promise<never> {
    const { provider } = this.#options;
    await this.#mark('rollback', 'started');
    this.#state.failure = {
      step: 'test',
      code: isSreError(cause) ? cause.code : (cause.name ?? 'Error'),
      message: this.#redact(cause.message),
    };
    const current =
      this.#state.previousVersionId === undefined ? undefined : this.#secret(this.#state.previousVersionId);
    if (current !== undefined) await this.#retry('rollback', (ctx) => provider.deploy(ctx, current));
    const pending = this.#secret(this.#state.versionId);
    if (pending !== undefined) await this.#retry('rollback', (ctx) => provider.revoke(ctx, pending));
    await this.#markRevoked(this.#state.versionId);
    await this.#mark('rollback', 'done');
    await this.#save((record) => {
      delete record.rotation;
    });
    throw this.#failure('test', cause, false);
  }

  #failure(step: RotationStep, cause: Error, resumable: boolean): SecretError {
    const then = resumable
      ? '; call rotateSecret again to resume from this step'
      : '; rolled back: consumers use the current credential again and the new one was revoked';
    return new SecretError(
      'SRE_ROTATION_FAILED',
      `Rotation of ${this.#options.id} failed at step ${step}: ${this.#redact(cause.message)}${then}`,
      {
        cause,
        details: { id: this.#options.id, rotationId: this.#state.rotationId, step, resumable },
      },
    );
  }

  async #retry<T>(step: RotationStep, work: (ctx: RotationContext) => Promise<T>): Promise<T> {
    const ctx: RotationContext = {
      id: this.#options.id,
      rotationId: this.#state.rotationId,
      versionId: this.#state.versionId,
      step,
      signal: this.#signal,
      logger: this.#logger,
    };
    return pRetry(() => work(ctx), {
      retries: this.#options.retries ?? 2,
      minTimeout: this.#options.retryDelayMs ?? 200,
      signal: this.#signal,
      shouldRetry: ({ error }) => isRetryable(error),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (retriesLeft > 0 && isRetryable(error)) await this.#audit(step, 'retrying', error);
      },
    });
  }

  async #overlapPassed(): Promise<boolean> {
    const due = Date.parse(this.#state.revokeAfter ?? '') || 0;
    const remaining = due - Date.now();
    if (remaining <= 0) return true;
    if (this.#options.waitForOverlap === false) return false;
    await sleep(remaining, undefined, { signal: this.#signal }).catch(() => this.#signal.throwIfAborted());
    return true;
  }

  async #markRevoked(versionId: string): Promise<void> {
    await this.#save((record) => {
      const version = record.versions.find((v) => v.versionId === versionId);
      if (version === undefined) return;
      version.value = null;
      version.revokedAt ??= new Date().toISOString();
      version.stages = version.stages.filter((stage) => stage === 'previous');
    });
  }

  async #mark(step: RotationStep, status: 'started' | 'done'): Promise<void> {
    await this.#save((record, state) => {
      state.step = step;
      state.status = status;
      record.journal.push({ rotationId: state.rotationId, step, status, at: new Date().toISOString() });
    });
    await this.#audit(step, status);
  }

  /** Applies a change to the record and the rotation state in one atomic store update. */
  async #save(change: (record: SecretRecord, state: RotationState) => void): Promise<void> {
    this.#record = await this.#options.store.update(this.#options.id, (record) => {
      record.rotation = this.#state;
      change(record, this.#state);
    });
    if (this.#record.rotation) this.#state = this.#record.rotation;
  }

  #secret(versionId: string): Secret | undefined {
    const value = this.#record.versions.find((version) => version.versionId === versionId)?.value;
    return value ? new Secret(value) : undefined;
  }

  #redact(text: string): string {
    const values = this.#record.versions.map((version) => version.value ?? undefined);
    return createRedactor(values, { patterns: true }).redact(text);
  }

  async #audit(
    step: RotationStep,
    outcome: 'started' | 'done' | 'failed' | 'retrying' | 'resumed',
    error?: unknown,
  ): Promise<void> {
    const pending = this.#secret(this.#state.versionId);
    const current =
      this.#state.previousVersionId === undefined ? undefined : this.#secret(this.#state.previousVersionId);
    const entry = {
      time: new Date().toISOString(),
      id: this.#options.id,
      rotationId: this.#state.rotationId,
      step,
      outcome,
      versionId: this.#state.versionId,
      fingerprints: {
        ...(pending ? { pending: pending.fingerprint() } : {}),
        ...(current ? { current: current.fingerprint() } : {}),
      },
      ...(error === undefined
        ? {}
        : {
            error: {
              code: isSreError(error) ? error.code : ((error as Error).name ?? 'Error'),
              message: this.#redact(String((error as Error).message ?? error)),
            },
          }),
    };
    this.#logger.info(
      { id: entry.id, rotationId: entry.rotationId, step, outcome, fingerprints: entry.fingerprints },
      `rotation ${step} ${outcome}`,
    );
    await writeAudit(this.#options.audit, entry);
  }

  #result(status: RotationResult['status']): RotationResult {
    return {
      id: this.#options.id,
      rotationId: this.#state.rotationId,
      status,
      // Both outcomes come after `finish`: the rotated-in version is current.
      currentVersionId: this.#state.versionId,
      previousVersionId: this.#state.previousVersionId,
      resumed: this.#resumed,
      steps: this.#steps,
      revokeAfter: this.#state.revokeAfter,
    };
  }
}
