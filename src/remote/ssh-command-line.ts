/**
 * The script every command runs inside, under the user's login shell: the command in the
 * background with stdin from /dev/null, and a watchdog that waits for the channel's stdin
 * to close and then kills the session's whole process group. sshd gives each session its
 * own group (setsid), and closes stdin when the channel closes, so a command that sre-kit
 * stopped waiting for (timeout, abort, lost connection) does not go on running on the host.
 * OpenSSH's `signal` channel request would be the protocol's way, but sshd refuses it for
 * root logins ("session signalling requires privilege separation"). On a normal exit the
 * watchdog is dismissed first, so background jobs the command meant to leave keep running.
 * The watchdog reads stdin through fd 3: a background list's own stdin is /dev/null.
 * Single quotes are avoided inside, since the script travels inside one.
 */
const WATCHDOG =
  'exec 3<&0; sh -c "$1" </dev/null 3<&- & p=$!; ' +
  '{ cat >/dev/null; kill -KILL 0; } <&3 >/dev/null 2>&1 & w=$!; exec 3<&-; ' +
  'wait $p; s=$?; kill $w 2>/dev/null; exit $s';

/** Quotes a word for a POSIX shell. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The remote command line for `command`: `LC_ALL=C`, so that output does not depend on the
 * host's locale, and the watchdog above. Works under any POSIX-like login shell.
 */
export function remoteCommandLine(command: string): string {
  return `env LC_ALL=C sh -c ${quote(WATCHDOG)} sre-kit ${quote(command)}`;
}
