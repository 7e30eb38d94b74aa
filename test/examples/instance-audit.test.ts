import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';
import { type Sshd, sshdTestsEnabled, startSshd } from '../helpers/sshd.js';

// A stand-in `aws` (test/fixtures/aws/ec2/bin/aws) comes first on PATH and replays the
// recorded responses in test/fixtures/aws/ec2/<region>/; no call ever reaches AWS.
const script = join(repoRoot, 'examples', 'instance-audit.ts');
const standInBin = join(repoRoot, 'test', 'fixtures', 'aws', 'ec2', 'bin');
const enabled = sshdTestsEnabled();

let dir: string;
let callLog: string;
const audit = (...args: string[]) =>
  runScript(tsxBin, [script, ...args], {
    env: { PATH: `${standInBin}${delimiter}${process.env.PATH}`, AWS_REPLAY_LOG: callLog },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-instance-audit-'));
  callLog = join(dir, 'aws-calls.log');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('examples/instance-audit.ts', () => {
  it('writes one row per instance of the region, every page read, and one summary line', async () => {
    const output = join(dir, 'us-east-1.csv');
    const result = await audit('--region', 'us-east-1', '--output', output);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`4 instances in us-east-1 (638 GiB of disk) written to ${output}\n`);
    // The terminated instance is left out; the detached 20 GiB volume counts for no one.
    expect(await readFile(output, 'utf8')).toBe(
      'id,start_time,size,disk_gib\n' +
        'i-0a1b2c3d4e5f60001,2024-05-02T08:15:42Z,t3.micro,8\n' +
        'i-0a1b2c3d4e5f60002,2025-11-20T14:03:09Z,m5.large,600\n' +
        'i-0a1b2c3d4e5f60003,2025-12-01T23:59:59Z,c6gd.xlarge,0\n' +
        'i-0a1b2c3d4e5f60005,2025-12-03T06:30:00Z,t4g.medium,30\n',
    );
    const base = '--region us-east-1 --output json --max-items 1000';
    expect((await readFile(callLog, 'utf8')).trim().split('\n')).toEqual([
      `ec2 describe-instances ${base}`,
      `ec2 describe-instances ${base} --starting-token eyJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDN9`,
      `ec2 describe-volumes ${base}`,
      `ec2 describe-volumes ${base} --starting-token eyJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDR9`,
    ]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a malformed answer (65), naming the field, and writes no file', async () => {
    const output = join(dir, 'eu-west-1.csv');
    const result = await audit('--region', 'eu-west-1', '--output', output);
    expect(result.exitCode).toBe(65);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error SRE_DATA_INVALID: Invalid aws ec2 describe-instances output for eu-west-1: Reservations[1].Instances[0].LaunchTime: expected string, received number 1748772000\n',
    );
    const text = await audit('--region', 'sa-east-1', '--output', output);
    expect(text.exitCode).toBe(65);
    expect(text.stderr).toMatch(
      /^error SRE_DATA_INVALID: aws ec2 describe-instances output for sa-east-1 is not JSON ← SyntaxError: /,
    );
    await expect(readFile(output)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails with the CLI error when aws fails (exit 255), or without the CLI (69)', async () => {
    const output = join(dir, 'ap-south-1.csv');
    const result = await audit('--region', 'ap-south-1', '--output', output);
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toBe(
      'error SRE_COMMAND_FAILED: Command failed with exit code 255: aws ec2 describe-instances --region ap-south-1 --output json --max-items 1000: Could not connect to the endpoint URL: "https://ec2.ap-south-1.amazonaws.com/"\n',
    );
    const noCli = await runScript(tsxBin, [script, '--region', 'us-east-1', '--output', output], {
      env: { PATH: dir },
    });
    expect(noCli.exitCode).toBe(69);
    expect(noCli.stderr).toMatch(/^error SRE_COMMAND_NOT_FOUND: /);
    await expect(readFile(output)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('explains its options and refuses bad ones (64)', async () => {
    const help = await audit('--help');
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    for (const option of [
      '--region',
      '--inventory',
      '--output',
      '--known-hosts',
      '--identity',
      '--timeout-ms',
    ])
      expect(help.stdout).toContain(option);
    const cases: Array<[string[], string]> = [
      [['--output', 'x.csv'], 'give either --region or --inventory'],
      [['--region', 'us-east-1'], '--output <file.csv> is required'],
      [['--region=--profile=prod', '--output', 'x.csv'], '--region: expected a region such as eu-west-1'],
    ];
    for (const [args, message] of cases) {
      const result = await audit(...args);
      expect(result.exitCode).toBe(64);
      expect(result.stderr).toContain(message);
    }
  });

  describe.skipIf(!enabled)('--inventory, over SSH (a real sshd on this machine)', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('reads boot time, CPUs, memory and disk from each host; a failed host has no row and exits 1', async () => {
      const knownHosts = join(dir, 'known_hosts');
      await writeFile(knownHosts, `${sshd.knownHostsLines().join('\n')}\n`);
      const inventory = join(dir, 'hosts.yaml');
      // The second name would run as a formula in a spreadsheet; the third host refuses.
      await writeFile(
        inventory,
        `hosts:\n  - { name: local, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user} }\n` +
          `  - { name: "=1+2", host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user} }\n` +
          `  - { name: gone, host: 127.0.0.1, port: 1, user: ${sshd.user} }\n`,
      );
      const output = join(dir, 'hosts.csv');
      const args = ['--inventory', inventory, '--output', output, '--known-hosts', knownHosts];
      const result = await audit(...args, '--identity', sshd.userKey.path);
      expect(result.stdout).toBe('');
      expect(result.exitCode).toBe(1);
      const [header, ...rows] = (await readFile(output, 'utf8')).trim().split('\n');
      expect(header).toBe('id,start_time,size,disk_gib');
      expect(rows.map((row) => row.split(',')[0])).toEqual(['local', "'=1+2"]);

      // What this machine says itself: /proc/stat's btime, its CPUs and memory, df's devices.
      const btime = Number(
        /^btime (\d+)$/m.exec(execFileSync('cat', ['/proc/stat'], { encoding: 'utf8' }))?.[1],
      );
      const devices = new Map(
        execFileSync('df', ['-P', '-k'], { encoding: 'utf8' })
          .split('\n')
          .slice(1)
          .map((line) => line.split(/\s+/))
          .filter(([filesystem]) => filesystem?.startsWith('/dev/'))
          .map(([filesystem, blocks]) => [filesystem, Number(blocks) * 1024]),
      );
      const diskGiB = Math.round(([...devices.values()].reduce((a, b) => a + b, 0) / 1024 ** 3) * 10) / 10;
      for (const row of rows) {
        const [, startTime = '', size, disk] = row.split(',');
        expect(startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(Date.parse(startTime) / 1000).toBe(btime);
        expect(size).toBe(`${cpus().length} vCPU / ${Math.round((totalmem() / 1024 ** 3) * 10) / 10} GiB`);
        expect(Number(disk)).toBe(diskGiB);
      }
      expect(result.stderr).toBe(
        `2 of 3 hosts of ${inventory} (${Math.round(diskGiB * 20) / 10} GiB of disk) written to ${output}; failed: gone (SRE_REMOTE_CONNECT)\n`,
      );
    }, 120_000);
  });
});
