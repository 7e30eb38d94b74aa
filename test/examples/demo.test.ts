import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, type ScriptResult, tsxBin } from '../helpers/run-script.js';

let result: ScriptResult;

/** The lines of one step, from its `== title` line up to the next step. */
function section(title: string): string[] {
  const blocks = result.stdout.split('\n== ');
  const block = blocks.find((candidate) => candidate.startsWith(title));
  expect(block, `no step "== ${title}" in:\n${result.stdout}`).toBeDefined();
  return (block ?? '').split('\n').slice(1);
}

/** Processes whose command line mentions `text` (read from /proc). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return commandLine.includes(text) ? [`${pid}: ${commandLine}`] : [];
      } catch {
        return []; // ended meanwhile
      }
    });
}

// One run of the whole tour for every check. The script never calls process.exit(), so it
// ends only once every server, socket, watcher and child process it started is gone: a leak
// would show as the run hitting its deadline (and being killed) instead of exiting.
beforeAll(async () => {
  result = await runScript(tsxBin, [join(repoRoot, 'examples', 'demo.ts')], { timeoutMs: 150_000 });
}, 160_000);

describe('npm run demo (examples/demo.ts)', () => {
  it('tours every block on local data and ends cleanly, leaving nothing behind', () => {
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/\nDone in \d+\.\d s\./);
    const dir = /'(\/[^']*sre-kit-demo-[^/']+)\/file; rm -rf ~'/.exec(result.stdout)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
    expect(processesMentioning(dir!)).toEqual([]);
  });

  it('shows the errors, process, fs, logs and secrets blocks', () => {
    for (const heading of ['== errors', '== process', '== fs: locked', '== logs', '== secrets']) {
      expect(result.stdout).toContain(heading);
    }
    expect(result.stdout).toContain('--password=[REDACTED]');
    expect(result.stdout).toContain('api: rotated');
    expect(result.stdout).not.toContain('hunter2');
  });

  it('watch: three files handled once, the copy skipped, nothing handled again after a restart', () => {
    const lines = section('fs: a watched folder').join('\n');
    expect(lines).toContain('handled 3 (orders-0001.csv, orders-0002.csv, orders-0003.csv)');
    expect(lines).toContain('duplicates=1');
    expect(lines).toMatch(/after a restart: 0 handled again, 4 skipped .*the ledger has 3 entries/);
  });

  it('remote: every host of the fleet ok with its figures, and a forged host key refused', () => {
    const lines = section('remote');
    expect(lines[0]).toMatch(/^ {3}5 of 5 hosts ok in \d+ ms/);
    const hosts = lines.filter((line) => /^ {5}web-\d: /.test(line));
    expect(hosts.map((line) => line.trim().split(':')[0])).toEqual([
      'web-1',
      'web-2',
      'web-3',
      'web-4',
      'web-5',
      'web-1', // the impostor
    ]);
    for (const line of hosts.slice(0, 5)) {
      expect(line).toMatch(
        /: ok, Debian GNU\/Linux 12 \(bookworm\), \d+ CPUs \d+(\.\d+)?% busy, memory \d+(\.\d+)?% of \d+ GiB, \/ \d+% full, load \d/,
      );
    }
    expect(hosts[0]).toContain('2 CPUs 10% busy, memory 20% of 4 GiB, / 30% full, load 0.3, up 3 days');
    expect(hosts[5]).toMatch(
      /FAILED SRE_REMOTE_HOST_KEY_CHANGED: The host key of \[127\.0\.0\.1\]:\d+ has CHANGED/,
    );
  });

  it('service-health: every server on its own row, and the services short of healthy instances', () => {
    const lines = section('script: service-health');
    const rows = lines
      .filter((line) => line.startsWith('   | 10.0.0.'))
      .map((line) => line.slice(5).split(/\s{2,}/));
    expect(rows).toHaveLength(13);
    expect(rows.filter((row) => row[2] === 'healthy')).toHaveLength(7);
    expect(rows.find((row) => row[0] === '10.0.0.3')?.slice(2)).toEqual([
      'unhealthy',
      '96%',
      '52%',
      'CPU above 90%',
    ]);
    expect(rows.find((row) => row[0] === '10.0.0.11')?.[5]).toBe('no answer within 500 ms, after 3 attempts');
    const unhealthy = lines.slice(lines.findIndex((line) => line.includes('$ service-health unhealthy')));
    expect(unhealthy[0]).toContain('exit 1');
    expect(unhealthy.slice(1, 5).map((line) => line.slice(5).split(/\s{2,}/))).toEqual([
      ['SERVICE', 'HEALTHY', 'INSTANCES'],
      ['AuthService', '1', '1'],
      ['OrderService', '1', '2'],
      ['SearchService', '1', '1'],
    ]);
    expect(unhealthy.join('\n')).toContain('without a usable answer (4)');
  });

  it('endpoint-monitor: two bounded cycles and the availability per domain', () => {
    const lines = section('script: endpoint-monitor').join('\n');
    expect(lines).toMatch(/\| cycle 2 at /);
    // Fixed by the fixture: /error is DOWN and /hang times out, each cycle.
    expect(lines).toMatch(/DOWN {6}stuck report \(\d+ ms\): no answer within 1800 ms/);
    expect(lines).toMatch(/DOWN {6}broken page \(\d+ ms\): HTTP 500/);
    expect(lines).toContain('final report after 2 cycles:');
    // UP or DEGRADED depends on how busy the machine is; the checks and the DOWNs do not.
    const report =
      /final report after 2 cycles:\n {3}\| {3}127\.0\.0\.1: (\d+)% available \(UP (\d+), DEGRADED (\d+), DOWN 4 of 10 checks\)/.exec(
        lines,
      );
    expect(report, lines).not.toBeNull();
    const [, availability, up, degraded] = report!.map(Number);
    expect(up! + degraded!).toBe(6);
    expect(availability).toBe(Math.floor((100 * up!) / 10));
  });
});
