import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';

/** One SFTP request as a promise, within the session's deadline and signal. */
export type SftpCall = <T = void>(
  what: string,
  start: (done: (error: unknown, value?: T) => void) => void,
) => Promise<T>;

/**
 * Replaces `path` so that a reader sees the old file or the new one, never a part: a
 * temporary file in the same directory (created exclusively), written, given `mode`
 * exactly (sftp-server applies its umask at open), flushed (`fsync@openssh.com`), closed,
 * then renamed over the target (`posix-rename@openssh.com`; plain SFTP rename refuses an
 * existing target). On failure the temporary file is removed, as far as the connection allows.
 *
 * @throws ssh2's error of the step that failed, unwrapped (the caller names host and path).
 */
export async function writeAtomically(
  sftp: SFTPWrapper,
  call: SftpCall,
  path: string,
  data: Uint8Array,
  mode: number,
): Promise<void> {
  const temp = posix.join(
    posix.dirname(path),
    `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let handle: Buffer | undefined;
  try {
    handle = await call<Buffer>(`creating ${temp}`, (done) => sftp.open(temp, 'wx', { mode }, done));
    const open = handle;
    if (bytes.length > 0)
      await call(`writing ${temp}`, (done) => sftp.write(open, bytes, 0, bytes.length, 0, done));
    await call(`chmod ${temp}`, (done) => sftp.fchmod(open, mode, done));
    await call(`fsync ${temp}`, (done) => sftp.ext_openssh_fsync(open, done));
    handle = undefined;
    await call(`closing ${temp}`, (done) => sftp.close(open, done));
    await call(`renaming ${temp} to ${path}`, (done) => sftp.ext_openssh_rename(temp, path, done));
  } catch (error) {
    // Best effort: after a deadline the connection is gone, and these cannot be sent.
    try {
      if (handle !== undefined) sftp.close(handle, () => {});
      sftp.unlink(temp, () => {});
    } catch {}
    throw error;
  }
}
