import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hasCode, LockError, SecretError } from '../errors/index.js';
import { readJson, updateJson } from '../fs/json.js';
import { withLock } from '../fs/lock.js';
import { Secret } from './secret.js';

/** The staging labels of a secret's versions, as in AWS Secrets Manager rotation. */
export type SecretStage = 'current' | 'pending' | 'previous';

/** One version of a secret. `value` is `null` once the version was revoked. */
export interface SecretVersion {
  versionId: string;
  value: string | null;
  stages: SecretStage[];
  createdAt: string;
  revokedAt?: string;
}

/** The steps of a rotation; `rollback` runs only after a failed test. */
export type RotationStep = 'create' | 'deploy' | 'test' | 'finish' | 'revoke' | 'rollback';

/** An unfinished rotation, kept in the store so that a new call can resume it. */
export interface RotationState {
  rotationId: string;
  /** The version being rotated in. */
  versionId: string;
  /** The version that was current when the rotation started. */
  previousVersionId?: string;
  step: RotationStep;
  status: 'started' | 'done';
  startedAt: string;
  revokeAfter?: string;
  failure?: { step: RotationStep; code: string; message: string };
}

/** One line of the rotation journal: a step that started, finished or failed. */
export interface JournalEntry {
  rotationId: string;
  step: RotationStep;
  status: 'started' | 'done' | 'failed';
  at: string;
}

/** Everything a store keeps about one secret. */
export interface SecretRecord {
  versions: SecretVersion[];
  rotation?: RotationState;
  journal: JournalEntry[];
}

/**
 * Where rotation keeps versions, stages and the journal. `update` must be atomic (all of a
 * change or none, never lost to a concurrent writer) and `lock` exclusive across processes,
 * refusing at once with a `LockError` when another rotation of the id holds it.
 */
export interface SecretStore {
  read(id: string): Promise<SecretRecord | undefined>;
  update(id: string, change: (record: SecretRecord) => void): Promise<SecretRecord>;
  lock<T>(id: string, work: () => Promise<T>): Promise<T>;
}

const JOURNAL_LIMIT = 200;

/**
 * The embedded store: one JSON file, mode 0600, every change through `updateJson` (locked,
 * atomic). A store file readable by others is refused, as a secret file would be.
 *
 * @example
 * ```ts
 * import { FileSecretStore, Secret } from 'sre-kit/secrets';
 *
 * const store = new FileSecretStore('/var/lib/rotation/secrets.json');
 * await store.put('billing-api', new Secret(process.env.BILLING_KEY ?? ''), 'current'); // seed once
 * ```
 */
export class FileSecretStore implements SecretStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(id: string): Promise<SecretRecord | undefined> {
    await this.#checkMode();
    try {
      const data = (await readJson(this.path)) as { secrets?: Record<string, SecretRecord> };
      return data.secrets?.[id];
    } catch (error) {
      if (hasCode(error, 'SRE_FILE_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async update(id: string, change: (record: SecretRecord) => void): Promise<SecretRecord> {
    await this.#checkMode();
    let updated: SecretRecord | undefined;
    await updateJson<{ secrets: Record<string, SecretRecord> }>(
      this.path,
      (data) => {
        const record = data.secrets[id] ?? { versions: [], journal: [] };
        change(record);
        record.journal = record.journal.slice(-JOURNAL_LIMIT);
        data.secrets[id] = record;
        updated = record;
      },
      { create: { secrets: {} }, mode: 0o600 },
    );
    return updated!;
  }

  async lock<T>(id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withLock(`${this.path}.${encodeURIComponent(id)}`, work, { lockTimeoutMs: 0 });
    } catch (error) {
      if (!hasCode(error, 'SRE_LOCK_TIMEOUT')) throw error;
      throw new LockError(
        'SRE_LOCK_HELD',
        `Another rotation of ${id} is running (lock ${error.details.lockPath})`,
        {
          cause: error,
          details: { id, lockPath: error.details.lockPath ?? null },
        },
      );
    }
  }

  /** Stores a version with a stage, for example the credential that exists before the first rotation. */
  async put(id: string, secret: Secret, stage: SecretStage): Promise<string> {
    const versionId = randomUUID();
    await this.update(id, (record) => {
      for (const version of record.versions) version.stages = version.stages.filter((s) => s !== stage);
      record.versions.push({
        versionId,
        value: secret.reveal(),
        stages: [stage],
        createdAt: new Date().toISOString(),
      });
    });
    return versionId;
  }

  /** The secret at a stage, or `undefined`. */
  async get(id: string, stage: SecretStage = 'current'): Promise<Secret | undefined> {
    const version = (await this.read(id))?.versions.find((v) => v.stages.includes(stage) && v.value !== null);
    return version?.value ? new Secret(version.value) : undefined;
  }

  async #checkMode(): Promise<void> {
    const info = await stat(this.path).catch(() => undefined);
    if (info !== undefined && (info.mode & 0o077) !== 0) {
      throw new SecretError(
        'SRE_SECRET_INSECURE_PERMISSIONS',
        `Refusing to use secret store ${this.path}: mode ${(info.mode & 0o777).toString(8)} lets others read it; run: chmod 600 ${this.path}`,
        { details: { path: this.path } },
      );
    }
  }
}
