import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EndpointsServer, startEndpointsServer } from '../../examples/fixtures/endpoints-server.js';
import { repoRoot, runScript, startScript, tsxBin } from '../helpers/run-script.js';

const example = join(repoRoot, 'examples', 'endpoint-monitor.ts');
const monitor = (...args: string[]) => runScript(tsxBin, [example, ...args]);

let dir: string;
let first: EndpointsServer;
let second: EndpointsServer;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-endpoint-monitor-'));
  // Two servers on two ports of one host: one domain in the report, since the port is ignored.
  [first, second] = await Promise.all([startEndpointsServer(), startEndpointsServer()]);
  // The sample file, pointed at the two servers.
  const sample = await readFile(join(repoRoot, 'examples', 'fixtures', 'endpoints.yaml'), 'utf8');
  await writeFile(
    file('endpoints.yaml'),
    sample
      .replaceAll('http://127.0.0.1:8701/slow', `${second.url}/slow`)
      .replaceAll('http://127.0.0.1:8701/hang', `${second.url}/hang`)
      .replaceAll('http://127.0.0.1:8701', first.url),
  );
});
afterAll(async () => {
  await Promise.all([first?.close(), second?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The status each endpoint got in each cycle, from the printed lines. */
function statuses(stdout: string): string[][] {
  return stdout
    .split(/^cycle \d+ at .*$/m)
    .slice(1)
    .map((cycle) =>
      [...cycle.matchAll(/^ {2}(UP|DEGRADED|DOWN) +(.+?) \(\d+ ms\): (.*)$/gm)].map(
        (m) => `${m[2]}=${m[1]}: ${m[3]}`,
      ),
    );
}

describe('examples/endpoint-monitor.ts', () => {
  it('checks every endpoint each cycle and reports availability per domain', async () => {
    // 3s: each request gets 2.7 s, well above the slow endpoint's 1 s.
    const result = await monitor(file('endpoints.yaml'), '--interval', '3s', '--cycles', '2');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const cycles = statuses(result.stdout);
    expect(cycles).toHaveLength(2);
    for (const cycle of cycles) {
      expect(cycle).toEqual([
        expect.stringMatching(/^health check=(UP|DEGRADED): HTTP 200$/),
        expect.stringMatching(/^create order=(UP|DEGRADED): HTTP 201$/),
        'slow search=DEGRADED: HTTP 200',
        'stuck report=DOWN: no answer within 2700 ms',
        'broken page=DOWN: HTTP 500',
      ]);
    }
    // The POST went out with its method, headers and body (the server answers 400 otherwise).
    expect(first.requests.get('POST /orders')).toBe(2);
    // Cumulative after each cycle, one domain for both ports; UP counted from what was printed.
    const up = cycles.map((cycle) => cycle.filter((line) => line.includes('=UP:')).length);
    const report = (cycleCount: number, ups: number) => {
      const [checks, down] = [5 * cycleCount, 2 * cycleCount];
      const availability = Math.floor((100 * ups) / checks);
      return `  127.0.0.1: ${availability}% available (UP ${ups}, DEGRADED ${checks - ups - down}, DOWN ${down} of ${checks} checks)`;
    };
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => line.includes('available'))).toEqual([
      report(1, up[0]!),
      report(2, up[0]! + up[1]!),
      report(2, up[0]! + up[1]!),
    ]);
    expect(lines.at(-2)).toBe('final report after 2 cycles:');
  });

  it('prints the final report on Ctrl-C', async () => {
    const running = startScript(tsxBin, [example, file('endpoints.yaml'), '--interval', '2s']);
    await running.waitForStdout(/available/);
    running.child.kill('SIGINT');
    const result = await running.done();
    expect(result.exitSignal).toBe('SIGINT');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /final report after \d+ cycles?:\n {2}127\.0\.0\.1: \d+% available \(UP \d+/,
    );
  });

  it('refuses invalid YAML and bad entries, naming the line or the entry', async () => {
    await writeFile(file('broken.yaml'), '- name: a\n  url: [http://127.0.0.1/\n');
    const broken = await monitor(file('broken.yaml'));
    expect(broken.exitCode).toBe(78);
    expect(broken.stderr).toMatch(
      /^error SRE_CONFIG_INVALID: .*broken\.yaml:3:1: not valid YAML ← BAD_INDENT/,
    );

    await writeFile(
      file('bad-entry.yaml'),
      '- name: fine\n  url: http://127.0.0.1/\n- name: typo\n  url: http://127.0.0.1/\n  header: {a: b}\n',
    );
    const badEntry = await monitor(file('bad-entry.yaml'));
    expect(badEntry.exitCode).toBe(78);
    expect(badEntry.stderr).toBe(
      `error SRE_CONFIG_INVALID: Invalid ${file('bad-entry.yaml')}, entry 2 ("typo"): (root): Unrecognized key: "header"\n`,
    );

    await writeFile(file('ftp.yaml'), '- name: files\n  url: ftp://127.0.0.1/\n');
    expect((await monitor(file('ftp.yaml'))).stderr).toContain('entry 1 ("files"): url: Invalid URL');
    await writeFile(file('get-body.yaml'), '- name: lookup\n  url: http://127.0.0.1/\n  body: "{}"\n');
    expect((await monitor(file('get-body.yaml'))).stderr).toContain(
      'entry 1 ("lookup"): body: a GET or HEAD request cannot have a body',
    );

    await writeFile(file('not-a-list.yaml'), 'endpoints: 3\n');
    expect((await monitor(file('not-a-list.yaml'))).stderr).toContain('expected a list of endpoints');
    expect((await monitor(file('nope.yaml'))).exitCode).toBe(66);
  });

  it('explains its options and refuses bad ones', async () => {
    const help = await monitor('--help');
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: endpoint-monitor <endpoints\.yaml>/);
    expect(help.stdout).toContain('--interval <duration>');
    expect(help.stdout).toContain('--cycles <n>');
    const fast = await monitor(file('endpoints.yaml'), '--interval', '100ms');
    expect(fast.exitCode).toBe(64);
    expect(fast.stderr.trim()).toBe(
      'error SRE_USAGE: Invalid arguments: --interval: must be at least 1s (see --help)',
    );
    const none = await monitor();
    expect(none.stderr.trim()).toBe('error SRE_USAGE: Expected exactly one endpoints file (see --help)');
  });
});
