import { AbortError, FileError, type SreError, TimeoutError } from '../errors/index.js';

/** What ssh2 rejects an SFTP request with: `code` is the SFTP status (2 no such file, 3 permission denied). */
type SftpStatusError = Error & { code?: number | string };

const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

/** Whether ssh2 failed the request because the path does not exist. */
export function isNoSuchFile(error: unknown): boolean {
  return (error as SftpStatusError | undefined)?.code === NO_SUCH_FILE;
}

/** An SFTP failure as a FileError naming the host, the path and what was being done. */
export function sftpFileError(error: unknown, host: string, path: string, action: string): SreError {
  const code = (error as SftpStatusError | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const family =
    code === NO_SUCH_FILE
      ? 'SRE_FILE_NOT_FOUND'
      : code === PERMISSION_DENIED
        ? 'SRE_FILE_PERMISSION'
        : 'SRE_FILE_IO';
  return new FileError(family, `Cannot ${action} ${path} on ${host} over SFTP: ${reason}`, {
    cause: error,
    details: { host, path, sftpStatus: typeof code === 'number' ? code : null },
  });
}

/**
 * Runs one SFTP operation within `timeoutMs` and `signal`. A request cannot be cancelled on
 * the wire, so past the deadline (or on abort) `onGiveUp` is called to close the
 * connection, and the operation rejects with `SRE_TIMEOUT` (or `SRE_ABORTED`).
 */
export function withDeadline<T>(
  operation: Promise<T>,
  what: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onGiveUp: () => void,
): Promise<T> {
  if (signal?.aborted) {
    onGiveUp();
    return Promise.reject(new AbortError('SRE_ABORTED', `Aborted before ${what}`, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      done();
      onGiveUp();
      reject(
        new TimeoutError('SRE_TIMEOUT', `Timed out after ${timeoutMs} ms: ${what}`, {
          details: { timeoutMs },
        }),
      );
    }, timeoutMs);
    const onAbort = () => {
      done();
      onGiveUp();
      reject(new AbortError('SRE_ABORTED', `Aborted ${what}`, { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    operation.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
