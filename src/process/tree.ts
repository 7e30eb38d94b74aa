import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Sends `signal` to the whole process group led by `pid` (children are started in their
 * own group, so the group is the tree, minus anything that called `setsid`). Returns false
 * when the group no longer exists.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Kills a process group: `killSignal` first, then SIGKILL once `graceMs` has passed while
 * any member is still alive. Resolves when the group is gone or SIGKILL has been sent,
 * so it never takes much longer than `graceMs`.
 */
export async function killGroup(pid: number, killSignal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!signalGroup(pid, killSignal)) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    if (!groupHasLiveMembers(pid)) return;
  }
  signalGroup(pid, 'SIGKILL');
}

/**
 * `kill(-pgid, 0)` also succeeds for zombies waiting to be reaped, which are already dead;
 * on Linux /proc tells the two apart. Elsewhere the signal probe is the best there is.
 */
function groupHasLiveMembers(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  return listGroupMembers(pgid).some((member) => member.state !== 'Z');
}

/** The processes of a group as /proc shows them (Linux only). */
export function listGroupMembers(pgid: number): Array<{ pid: number; state: string }> {
  // Synchronous on purpose: it runs inside a short polling loop and must see one moment.
  const members: Array<{ pid: number; state: string }> = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command name: state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) members.push({ pid: Number(entry), state: fields[0] ?? '?' });
  }
  return members;
}
