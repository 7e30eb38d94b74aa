import { open } from 'node:fs/promises';

/** One line of the audit log. Fingerprints only: a secret value never appears in it. */
export interface AuditEntry {
  time: string;
  id: string;
  rotationId: string;
  step: string;
  outcome: 'started' | 'done' | 'failed' | 'retrying' | 'resumed';
  versionId: string;
  fingerprints: { pending?: string; current?: string };
  error?: { code: string; message: string };
}

/** Where audit entries go: a JSON-lines file path, or a function. */
export type AuditSink = string | ((entry: AuditEntry) => void | Promise<void>);

/**
 * Appends one entry to the audit log and waits until it is on disk (created with mode
 * 0600; O_APPEND keeps concurrent lines whole).
 */
export async function writeAudit(sink: AuditSink | undefined, entry: AuditEntry): Promise<void> {
  if (sink === undefined) return;
  if (typeof sink === 'function') return sink(entry);
  const handle = await open(sink, 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(entry)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
