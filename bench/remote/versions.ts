import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TOOLS: [string, string, string[]][] = [
  ['OpenSSH', 'ssh', ['-V']],
  ['parallel-ssh', 'parallel-ssh', ['--version']],
  ['pdsh', 'pdsh', ['-V']],
  ['clush', 'clush', ['--version']],
  ['ansible', 'ansible', ['--version']],
  ['paramiko', '/usr/bin/python3', ['-c', 'import paramiko; print(paramiko.__version__)']],
];

/** The first line of each compared tool's version (ssh -V and pdsh -V print on stderr). */
export function toolVersions(): string {
  const tools = TOOLS.map(([name, command, args]) => {
    const run = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const first = `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n')[0]?.trim();
    return run.error === undefined && first ? `${name} ${first}` : `${name}: not installed`;
  });
  const ssh2 = JSON.parse(
    readFileSync(new URL('../../node_modules/ssh2/package.json', import.meta.url), 'utf8'),
  );
  return [...tools, `ssh2 ${(ssh2 as { version: string }).version}`].join(' · ');
}
