import { RemoteError, type SreError } from '../errors/index.js';
import type { JumpTarget } from './collect-destination.js';
import type { SshSession } from './ssh-connect.js';

/**
 * The jump host connections of one run. Hosts behind one bastion share one connection
 * (each host is a direct-tcpip channel on it, which sshd's MaxSessions does not count);
 * it is opened on first use, opened again if it was lost, and closed at the end of the run.
 */
export interface JumpPool {
  /** The session to the jump host; a failure is the jump host's, said so in the message. */
  acquire(jump: JumpTarget): Promise<SshSession>;
  closeAll(): Promise<void>;
}

export function createJumpPool(connect: (jump: JumpTarget) => Promise<SshSession>): JumpPool {
  const sessions = new Map<string, Promise<SshSession>>();
  const opened = new Set<SshSession>();
  return {
    async acquire(jump) {
      let pending = sessions.get(jump.key);
      const current = pending === undefined ? undefined : await pending.catch(() => undefined);
      if (pending === undefined || current?.lost !== undefined) {
        pending = connect(jump).then((session) => {
          opened.add(session);
          return session;
        });
        sessions.set(jump.key, pending);
        // Hosts waiting on it share the attempt; a failed one is not kept, so the hosts'
        // retries (and later hosts) try again.
        pending.catch(() => {
          if (sessions.get(jump.key) === pending) sessions.delete(jump.key);
        });
      }
      try {
        return await pending;
      } catch (error) {
        throw jumpError(error as SreError, jump);
      }
    },
    async closeAll() {
      await Promise.all([...sessions.values()].map((pending) => pending.catch(() => undefined)));
      await Promise.all([...opened].map((session) => session.close()));
      sessions.clear();
      opened.clear();
    },
  };
}

function jumpError(error: SreError, jump: JumpTarget): SreError {
  if (!(error instanceof RemoteError)) return error;
  return new RemoteError(error.code, `Jump host ${jump.label}: ${error.message}`, {
    cause: error,
    details: { ...error.details, jump: jump.label },
    retryable: error.retryable,
  });
}
