import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../helpers/fleet.js';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const script = join(repoRoot, 'examples', 'collect-metrics.ts');
let fleet: Fleet;
let dir: string;
let knownHosts: string;
let identity: string;

beforeAll(async () => {
  fleet = await startFleet(['ok', 'ok', 'ok', 'refuse', 'wrong-host-key', 'reject-auth']);
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-collect-example-'));
  knownHosts = join(dir, 'known_hosts');
  identity = join(dir, 'id_ed25519');
  await writeFile(knownHosts, fleet.knownHosts);
  await writeFile(identity, fleet.userKey);
  await chmod(identity, 0o600);
  const hosts = fleet.hosts.map(
    (host, index) =>
      `  - { name: ${host.name}, host: ${host.host}, port: ${host.port}, groups: [${index < 3 ? 'good' : 'bad'}] }`,
  );
  await writeFile(join(dir, 'hosts.yaml'), `defaults: { user: sre }\nhosts:\n${hosts.join('\n')}\n`);
}, 60_000);
afterAll(async () => {
  await fleet.close();
  await rm(dir, { recursive: true, force: true });
});

const args = (...more: string[]) => [
  script,
  '--inventory',
  join(dir, 'hosts.yaml'),
  '--known-hosts',
  knownHosts,
  '--identity',
  identity,
  '--metrics',
  'none',
  '--command',
  'name=hostname',
  ...more,
];

describe('examples/collect-metrics.ts', () => {
  it('writes one CSV row per host, sums up failures by code and exits 1 when a host failed', async () => {
    const output = join(dir, 'all.csv');
    const result = await runScript(tsxBin, args('--format', 'csv', '--output', output));
    expect(result.exitCode).toBe(1);
    const rows = (await readFile(output, 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(1 + fleet.hosts.length);
    expect(result.stderr).toContain('3 of 6 hosts ok');
    for (const code of ['SRE_REMOTE_CONNECT', 'SRE_REMOTE_HOST_KEY_CHANGED', 'SRE_REMOTE_AUTH'])
      expect(result.stderr).toContain(`1 × ${code}`);
  }, 120_000);

  it('exits 0 when every selected host answered, and writes NDJSON to stdout', async () => {
    const result = await runScript(tsxBin, args('--group', 'good', '--format', 'ndjson'));
    expect(result.stderr).toBe('3 of 3 hosts ok\n');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.ok)).toEqual([true, true, true]);
    expect(lines.map((line) => line.commands.name.stdout).sort()).toEqual(
      fleet.hosts
        .slice(0, 3)
        .map((host) => host.name)
        .sort(),
    );
    expect(result.stderr).toContain('3 of 3 hosts ok');
  }, 120_000);

  it('explains its options and refuses an unknown metric', async () => {
    expect((await runScript(tsxBin, [script, '--help'])).stdout).toContain('--known-hosts <file>');
    const bad = await runScript(tsxBin, [
      script,
      '--inventory',
      join(dir, 'hosts.yaml'),
      '--metrics',
      'cpu,gpu',
    ]);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain('--metrics: unknown gpu');
  });
});
