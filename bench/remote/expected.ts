/** The command every contender runs on every host. */
export const COMMAND = 'cat /proc/loadavg; head -1 /proc/meminfo';

// /proc/loadavg then the MemTotal line; Ansible's raw module runs under a pty, hence \r\n.
const EXPECTED = /^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\nMemTotal:\s+\d+ kB$/;

/** Whether a host's stdout is what {@link COMMAND} prints: the check behind "hosts ok". */
export function isExpected(stdout: string): boolean {
  return EXPECTED.test(stdout.replaceAll('\r\n', '\n').trim());
}
