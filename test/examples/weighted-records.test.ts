import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

// A stand-in `aws` (test/fixtures/bin/aws) comes first on PATH and replays the recorded
// responses in test/fixtures/aws/route53/<zone>.json; no call ever reaches AWS.
const example = join(repoRoot, 'examples', 'weighted-records.ts');
const standInBin = join(repoRoot, 'test', 'fixtures', 'bin');
const recordings = join(repoRoot, 'test', 'fixtures', 'aws', 'route53');

let dir: string;
let callLog: string;
const check = (...args: string[]) =>
  runScript(tsxBin, [example, ...args], {
    env: { PATH: `${standInBin}${delimiter}${process.env.PATH}`, AWS_REPLAY_LOG: callLog },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-weighted-records-'));
  callLog = join(dir, 'aws-calls.log');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('examples/weighted-records.ts', () => {
  it('prints the worker, then which record is active and which inactive', async () => {
    const result = await check('--zone-id', 'ZACTIVEPAIR');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const [worker, ...rest] = result.stdout.trim().split('\n');
    expect(worker).toMatch(new RegExp(`^worker: ${hostname().replace(/\./g, '\\.')} \\(.+\\)$`));
    expect(rest).toEqual([
      'api.example.com. A in zone ZACTIVEPAIR:',
      '  active:   green (weight 100) → 192.0.2.20, 192.0.2.21',
      '  inactive: blue (weight 0) → 192.0.2.10',
    ]);
    // The CLI was run with its arguments as given (no shell), JSON output asked for.
    expect((await readFile(callLog, 'utf8')).trim().split('\n').at(-1)).toBe(
      'route53 list-resource-record-sets --hosted-zone-id ZACTIVEPAIR --output json',
    );
  });

  it('checks the pair of one name with --name, from the CLI or from a file', async () => {
    const www = await check('--zone-id', 'ZTWONAMES', '--name', 'WWW.example.com');
    expect(www.exitCode).toBe(0);
    expect(www.stdout).toContain(
      'www.example.com. CNAME in zone ZTWONAMES:\n' +
        '  active:   www-green (weight 100) → alias d111111abcdef8.cloudfront.net.\n' +
        '  inactive: www-blue (weight 0) → blue.example.net\n',
    );
    const fromFile = join(recordings, 'ZTWONAMES.json');
    const api = await check('--records-file', fromFile, '--name', 'api.example.com.');
    expect(api.exitCode).toBe(0);
    expect(api.stdout).toContain(
      `api.example.com. A in ${fromFile}:\n  active:   blue (weight 100) → 192.0.2.10\n`,
    );
  });

  it.each([
    [
      'ZTHREEWEIGHTED',
      'Expected exactly 2 weighted records for api.example.com. in zone ZTHREEWEIGHTED, found 3: blue (weight 100), green (weight 0), canary (weight 10)',
    ],
    ['ZNOWEIGHTED', 'Expected exactly 2 weighted records in zone ZNOWEIGHTED, found 0'],
    [
      'ZBOTHACTIVE',
      'Expected one weighted record with weight 100 (active) and one with weight 0 (inactive) in zone ZBOTHACTIVE, found blue (weight 100) and green (weight 100)',
    ],
    [
      'ZTWONAMES',
      'The weighted records in zone ZTWONAMES have 2 names (api.example.com., www.example.com.): choose one with --name',
    ],
    [
      'ZBADSHAPE',
      'Invalid aws output for zone ZBADSHAPE: ResourceRecordSets[0].Weight: expected number, received "100"',
    ],
  ])('exits 65 when zone %s is not as required, saying why', async (zone, message) => {
    const result = await check('--zone-id', zone);
    expect(result.exitCode).toBe(65);
    expect(result.stderr).toBe(`error SRE_DATA_INVALID: ${message}\n`);
  });

  it('says so when the CLI answers something that is not JSON (65)', async () => {
    const result = await check('--zone-id', 'ZNOTJSON');
    expect(result.exitCode).toBe(65);
    expect(result.stderr).toMatch(
      /^error SRE_DATA_INVALID: aws returned output that is not JSON for zone ZNOTJSON ← SyntaxError: /,
    );
  });

  it('fails with the CLI error (70), at the deadline (75), or without the CLI (69)', async () => {
    const missing = await check('--zone-id', 'ZMISSING');
    expect(missing.exitCode).toBe(70);
    expect(missing.stderr).toBe(
      'error SRE_COMMAND_FAILED: Command failed with exit code 254: aws route53 list-resource-record-sets --hosted-zone-id ZMISSING --output json: An error occurred (NoSuchHostedZone) when calling the ListResourceRecordSets operation: No hosted zone found with ID: ZMISSING\n',
    );
    const hung = await check('--zone-id', 'ZHANGS', '--timeout-ms', '500');
    expect(hung.exitCode).toBe(75);
    expect(hung.stderr).toMatch(
      /^error SRE_COMMAND_TIMEOUT: Command timed out after 500 ms and was killed: aws /,
    );
    const noCli = await runScript(tsxBin, [example, '--zone-id', 'ZACTIVEPAIR'], { env: { PATH: dir } });
    expect(noCli.exitCode).toBe(69);
    expect(noCli.stderr).toMatch(/^error SRE_COMMAND_NOT_FOUND: /);
  });

  it('explains its options and refuses bad ones', async () => {
    const help = await check('--help');
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: weighted-records \(--zone-id <id> \| --records-file <file\.json>\)/);
    expect(help.stdout).toContain('--records-file <file>');
    for (const args of [[], ['--zone-id', 'ZACTIVEPAIR', '--records-file', 'records.json']]) {
      const result = await check(...args);
      expect(result.exitCode).toBe(64);
      expect(result.stderr.trim()).toBe(
        'error SRE_USAGE: Invalid arguments: give either --zone-id or --records-file (see --help)',
      );
    }
    const injected = await check('--zone-id=--profile=prod');
    expect(injected.exitCode).toBe(64);
    expect(injected.stderr).toContain('--zone-id: expected a hosted zone id');
  });
});
