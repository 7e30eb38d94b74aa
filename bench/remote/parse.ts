// Each tool's output turned into the set of hosts that returned the expected stdout.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isExpected } from './expected.js';

function expectedHosts(outputs: Map<string, string>): Set<string> {
  return new Set([...outputs].filter(([, out]) => isExpected(out)).map(([host]) => host));
}

/** pssh `-o DIR`: one file per host holding its stdout. */
export function parsePsshDir(dir: string): Set<string> {
  const outputs = new Map<string, string>();
  for (const file of readdirSync(dir)) outputs.set(file, readFileSync(join(dir, file), 'utf8'));
  return expectedHosts(outputs);
}

/** pdsh and clush: every line of stdout prefixed with `host: `. */
export function parsePrefixed(stdout: string): Set<string> {
  const outputs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+?): (.*)$/.exec(line);
    if (match === null) continue;
    outputs.set(match[1]!, `${outputs.get(match[1]!) ?? ''}${match[2]!}\n`);
  }
  return expectedHosts(outputs);
}

/** Ansible `-o`: `host | CHANGED | rc=0 | (stdout) …` with the output's newlines escaped. */
export function parseAnsibleOneLine(stdout: string): Set<string> {
  const outputs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+) \| CHANGED \| rc=0 \| \(stdout\) (.*?)(?: \(stderr\).*)?$/.exec(line);
    if (match !== null) outputs.set(match[1]!, match[2]!.replaceAll('\\r\\n', '\n').replaceAll('\\n', '\n'));
  }
  return expectedHosts(outputs);
}

/** The paramiko script: a JSON line `{ host, out }` per host that answered. */
export function parseJsonLines(stdout: string): Set<string> {
  const outputs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const { host, out } = JSON.parse(line) as { host: string; out: string };
    outputs.set(host, out);
  }
  return expectedHosts(outputs);
}
