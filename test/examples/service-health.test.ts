import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../examples/fixtures/control-plane.js';
import { repoRoot, runScript, startScript, tsxBin } from '../helpers/run-script.js';

const example = join(repoRoot, 'examples', 'service-health.ts');
let plane: ControlPlane;
// The stuck server costs one --timeout per run: 1s keeps the suite short and is still far
// above what the other (local) servers take, the slow one included.
const health = (...args: string[]) =>
  runScript(tsxBin, [example, ...args, '--url', plane.url, '--timeout', '1s']);

/** A printed table as rows of cells (two or more spaces separate the columns). */
const table = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));

beforeAll(async () => {
  plane = await startControlPlane();
});
afterAll(async () => {
  await plane?.close();
});

describe('examples/service-health.ts', () => {
  it('services: one row per server, every misbehaving server reported on its own row', async () => {
    const before = plane.requests.get('/10.0.0.6') ?? 0;
    const result = await health('services');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(table(result.stdout)).toEqual([
      ['IP', 'SERVICE', 'STATUS', 'CPU', 'MEMORY', 'NOTE'],
      ['10.0.0.1', 'UserService', 'healthy', '23%', '41%'],
      ['10.0.0.2', 'UserService', 'healthy', '31%', '38%'],
      ['10.0.0.3', 'UserService', 'unhealthy', '96%', '52%', 'CPU above 90%'],
      ['10.0.0.4', 'OrderService', 'healthy', '44%', '61%'],
      ['10.0.0.5', 'OrderService', 'unhealthy', '52%', '93%', 'memory above 90%'],
      ['10.0.0.6', '?', 'error', '-', '-', 'HTTP 500, after 3 attempts'],
      ['10.0.0.7', 'PaymentService', 'healthy', '12%', '22%'],
      ['10.0.0.8', 'PaymentService', 'healthy', '18%', '27%'],
      ['10.0.0.9', '?', 'error', '-', '-', expect.stringMatching(/^malformed JSON \(/)],
      ['10.0.0.10', 'AuthService', 'healthy', '38%', '45%'],
      // A deadline that passed is worth another try (isRetryable): the hung server is asked 3 times.
      ['10.0.0.11', '?', 'error', '-', '-', 'no answer within 1000 ms, after 3 attempts'],
      [
        '10.0.0.12',
        '?',
        'error',
        '-',
        '-',
        'Invalid answer: cpu: expected number, received "n/a"; memory: required, expected number',
      ],
      ['10.0.0.13', 'SearchService', 'healthy', '67%', '71%'],
    ]);
    // --retries 2: three attempts at the server that always fails, no more.
    expect((plane.requests.get('/10.0.0.6') ?? 0) - before).toBe(3);
  });

  it('status: averages per service, thresholds from the options, failures on stderr', async () => {
    const result = await health('status', '--cpu-threshold', '95', '--mem-threshold', '95');
    expect(result.exitCode).toBe(0);
    expect(table(result.stdout)).toEqual([
      ['SERVICE', 'INSTANCES', 'HEALTHY', 'AVG CPU', 'AVG MEMORY'],
      ['AuthService', '1', '1', '38.0%', '45.0%'],
      ['OrderService', '2', '2', '48.0%', '77.0%'],
      ['PaymentService', '2', '2', '15.0%', '24.5%'],
      ['SearchService', '1', '1', '67.0%', '71.0%'],
      ['UserService', '3', '2', '50.0%', '43.7%'],
    ]);
    expect(
      result.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(':')[0]),
    ).toEqual(['warn 10.0.0.6', 'warn 10.0.0.9', 'warn 10.0.0.11', 'warn 10.0.0.12']);
    const one = await health('status', '--service', 'UserService');
    expect(table(one.stdout)).toEqual([
      ['SERVICE', 'INSTANCES', 'HEALTHY', 'AVG CPU', 'AVG MEMORY'],
      ['UserService', '3', '2', '50.0%', '43.7%'],
    ]);
    const unknown = await health('status', '--service', 'NoSuchService');
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toContain(
      'error SRE_USAGE: No server that answered runs NoSuchService (services: ',
    );
  });

  it('unhealthy: the services with fewer than two healthy instances, exit 1', async () => {
    const result = await health('unhealthy');
    expect(result.exitCode).toBe(1);
    expect(table(result.stdout)).toEqual([
      ['SERVICE', 'HEALTHY', 'INSTANCES'],
      ['AuthService', '1', '1'],
      ['OrderService', '1', '2'],
      ['SearchService', '1', '1'],
    ]);
  });

  it('track: one line per refresh, bounded by --count or stopped by Ctrl-C', async () => {
    const counted = await health(
      'track',
      '--service',
      'PaymentService',
      '--interval',
      '200ms',
      '--count',
      '2',
    );
    expect(counted.exitCode).toBe(0);
    const lines = counted.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^\d\d:\d\d:\d\d PaymentService: 2 instances, 2 healthy, CPU 15\.0%, memory 24\.5% \(4 servers gave no usable answer\)$/,
      );
    }

    const running = startScript(tsxBin, [
      example,
      'track',
      '--service',
      'OrderService',
      '--interval',
      '200ms',
      '--url',
      plane.url,
      '--timeout',
      '1s',
    ]);
    await running.waitForStdout(/OrderService: 2 instances, 1 healthy/);
    // A refresh takes longer than the interval (the stuck server's timeout): Ctrl-C lands in
    // the middle of one, with requests in flight, and must still end the script quietly.
    running.child.kill('SIGINT');
    const stopped = await running.done();
    expect(stopped.exitSignal).toBe('SIGINT');
    expect(stopped.stderr).toBe('');
  });

  it('exits 69 when the control plane cannot be reached', async () => {
    // A port that was just free: connections to it are refused.
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const result = await runScript(tsxBin, [example, 'services', '--url', `http://127.0.0.1:${port}`]);
    expect(result.exitCode).toBe(69);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error SRE_REMOTE_CONNECT: Cannot list the servers at http://127\\.0\\.0\\.1:${port}/servers ← .*ECONNREFUSED`,
      ),
    );
  });

  it('explains its commands and options, and refuses bad ones', async () => {
    const help = await runScript(tsxBin, [example, '--help']);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: service-health <command> \[options\]/);
    for (const option of [
      '--interval <duration>',
      '--cpu-threshold <pct>',
      '--mem-threshold <pct>',
      '--count <n>',
    ]) {
      expect(help.stdout).toContain(option);
    }
    const cases: [string[], string][] = [
      [[], 'error SRE_USAGE: Expected one command: services, status, unhealthy, track (see --help)'],
      [['restart'], 'error SRE_USAGE: Expected one command: services, status, unhealthy, track (see --help)'],
      [['track'], 'error SRE_USAGE: track needs --service NAME (see --help)'],
      [
        ['track', '--service', 'x', '--interval', '5'],
        'error SRE_USAGE: Invalid arguments: --interval: expected a duration such as 5s, 500ms or 1m (see --help)',
      ],
      [
        ['services', '--cpu-threshold', '120'],
        'error SRE_USAGE: Invalid arguments: --cpu-threshold: Too big: expected number to be <=100 (see --help)',
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runScript(tsxBin, [example, ...args])));
    expect(results.map((result) => [result.exitCode, result.stderr.trim()])).toEqual(
      cases.map(([, line]) => [64, line]),
    );
  });
});
