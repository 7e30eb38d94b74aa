import { execFileSync } from 'node:child_process';

const TOOLS: [string, string[]][] = [
  ['rg', ['--version']],
  ['grep', ['--version']],
  ['awk', ['-W', 'version']], // mawk; gawk answers --version too
  ['python3', ['--version']],
  ['gzip', ['--version']],
];

/** The first line of each compared tool's version, or that it is missing. */
export function toolVersions(): string {
  return TOOLS.map(([tool, args]) => {
    try {
      const text = execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return text.split('\n')[0]!.trim();
    } catch {
      return `${tool}: not installed`;
    }
  }).join(' · ');
}
