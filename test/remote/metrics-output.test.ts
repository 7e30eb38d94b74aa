import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseMetricsOutput } from '../../src/remote/metrics.js';
import { buildMetricsCommand } from '../../src/remote/metrics-command.js';
import { METRIC_NAMES, type MetricName } from '../../src/remote/metrics-types.js';

const run = promisify(execFile);
const fixtures = join(import.meta.dirname, '../fixtures/remote/proc');

/** What the metrics command prints on a host whose files are the fixtures of `host`. */
function outputOf(host: string, banner = ''): string {
  const file = (name: string): string => {
    const path = join(fixtures, host, name);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const section = (name: string, body: string, status = 0): string =>
    `\n@@sre-kit:section ${name}\n${body}\n@@sre-kit:status ${status}\n`;
  return [
    banner,
    '\n@@sre-kit:metrics 1\n',
    section('os', `${file('os-release') || file('redhat-release')}\n@@sre-kit:part uname\n${file('uname')}`),
    section('uptime', file('uptime')),
    section('load', file('loadavg')),
    section('memory', file('meminfo')),
    section('cpu', `${file('stat.1')}\n@@sre-kit:part sample\n${file('stat.2')}`),
    section('disk', file('df')),
    '\n@@sre-kit:end .\n',
  ].join('');
}

describe('buildMetricsCommand()', () => {
  it('is one `env LC_ALL=C sh -c` with one section per metric, df last', () => {
    const command = buildMetricsCommand(['disk', 'cpu', 'memory'], { cpuSampleMs: 1500 });
    expect(command.startsWith("env LC_ALL=C sh -c '")).toBe(true);
    expect(command.endsWith("'")).toBe(true);
    expect(command).not.toContain('\n');
    // The script itself holds no single quote, so the quoting cannot break.
    expect(command.slice("env LC_ALL=C sh -c '".length, -1)).not.toContain("'");
    const sections = [...command.matchAll(/section %s\\n" (\w+)/g)].map((match) => match[1]);
    expect(sections).toEqual(['memory', 'cpu', 'disk']);
    expect(command).toContain('sleep 1.5 2>/dev/null || sleep 2;');
  });

  it('rejects unknown metrics, an empty list and a bad cpuSampleMs', () => {
    const attempts: Array<() => unknown> = [
      () => buildMetricsCommand(['cpu', 'gpu' as MetricName]),
      () => buildMetricsCommand([]),
      () => buildMetricsCommand(['cpu'], { cpuSampleMs: 0 }),
      () => buildMetricsCommand(['cpu'], { cpuSampleMs: 2.5 }),
      () => buildMetricsCommand(['cpu'], { cpuSampleMs: 600_000 }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(
        expect.objectContaining({
          code: 'SRE_USAGE',
          message: expect.stringMatching(/^buildMetricsCommand\(\): /),
        }),
      );
    }
  });

  it('runs under sh on this machine and parses into every metric', async () => {
    const started = performance.now();
    const { stdout } = await run('sh', ['-c', buildMetricsCommand(METRIC_NAMES, { cpuSampleMs: 100 })]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    const metrics = parseMetricsOutput(stdout);
    expect(metrics.errors).toBeUndefined();
    expect(metrics.cpu?.count).toBeGreaterThanOrEqual(1);
    expect(metrics.cpu?.percent).toBeGreaterThanOrEqual(0);
    expect(metrics.cpu?.percent).toBeLessThanOrEqual(100);
    expect(metrics.memory?.totalBytes).toBeGreaterThan(0);
    expect(metrics.disk?.some((disk) => disk.mountPoint === '/')).toBe(true);
    expect(metrics.load?.total).toBeGreaterThan(0);
    expect(metrics.uptime?.seconds).toBeGreaterThan(0);
    expect(metrics.os?.kernelName).toBe('Linux');
  });

  it('runs under bash and dash alike, and only the asked-for sections', async () => {
    for (const shell of ['bash', 'dash']) {
      const { stdout } = await run(shell, ['-c', buildMetricsCommand(['load', 'uptime'])]);
      expect(stdout).not.toContain('@@sre-kit:section cpu');
      const metrics = parseMetricsOutput(stdout, ['load', 'uptime']);
      expect(Object.keys(metrics).sort()).toEqual(['load', 'uptime']);
    }
  });
});

describe('parseMetricsOutput()', () => {
  it('parses the combined output of every sample host', () => {
    const expected: Record<string, { cpu?: number; memory: number; disks: number; os: string | null }> = {
      'centos7-3.10': { cpu: 21.25, memory: 28.91, disks: 8, os: 'CentOS Linux' },
      'rhel5-2.6.18': { cpu: 45, memory: 31.86, disks: 3, os: 'Red Hat Enterprise Linux Server' },
      'ubuntu-22.04-many-disks': { cpu: 42.5, memory: 22.19, disks: 16, os: 'Ubuntu' },
      'linux-6.18-debian12': { cpu: 98.18, memory: 5.13, disks: 4, os: 'Debian GNU/Linux' },
    };
    for (const [host, want] of Object.entries(expected)) {
      const metrics = parseMetricsOutput(outputOf(host));
      expect(metrics.errors, host).toBeUndefined();
      expect(metrics.cpu?.percent, host).toBe(want.cpu);
      expect(metrics.memory?.usedPercent, host).toBe(want.memory);
      expect(metrics.disk, host).toHaveLength(want.disks);
      expect(metrics.os?.name, host).toBe(want.os);
      expect(metrics.load, host).toBeDefined();
      expect(metrics.uptime, host).toBeDefined();
    }
  });

  it('reports each failed metric on its own: missing files, no stat samples', () => {
    // alpine-busybox has no /proc/stat sample, rhel4 no loadavg, uptime or df.
    const alpine = parseMetricsOutput(outputOf('alpine-busybox'));
    expect(alpine.memory?.usedPercent).toBe(12.94);
    expect(alpine.disk).toHaveLength(8);
    expect(Object.keys(alpine.errors ?? {})).toEqual(['cpu']);
    expect(alpine.errors?.cpu).toEqual({
      code: 'SRE_DATA_INVALID',
      message: expect.stringMatching(/^cpu: Cannot parse \/proc\/stat: no aggregate cpu line/),
    });
    const rhel4 = parseMetricsOutput(outputOf('rhel4-2.6.9'));
    expect(rhel4.cpu?.steal).toBeNull();
    expect(Object.keys(rhel4.errors ?? {}).sort()).toEqual(['disk', 'load', 'uptime']);
  });

  it('says which command failed and why when a section exits non-zero', () => {
    const output = [
      '@@sre-kit:metrics 1',
      '@@sre-kit:section memory',
      'cat: /proc/meminfo: No such file or directory',
      '@@sre-kit:status 1',
      '@@sre-kit:section load',
      '0.00 0.01 0.05 1/99 123',
      '@@sre-kit:status 0',
      '@@sre-kit:end .',
    ].join('\n');
    const metrics = parseMetricsOutput(output, ['memory', 'load']);
    expect(metrics.load?.load15).toBe(0.05);
    expect(metrics.errors).toEqual({
      memory: {
        code: 'SRE_REMOTE_COMMAND_FAILED',
        message:
          'memory: `cat /proc/meminfo` exited with status 1: cat: /proc/meminfo: No such file or directory',
      },
    });
  });

  it('keeps rows df printed before it failed on one mount (exit 1)', () => {
    const output = `@@sre-kit:metrics 1\n@@sre-kit:section disk\n${readFileSync(join(fixtures, 'centos7-3.10', 'df'), 'utf8')}df: /mnt/x: Permission denied\n@@sre-kit:status 1\n`;
    const metrics = parseMetricsOutput(output, ['disk']);
    expect(metrics.errors).toBeUndefined();
    expect(metrics.disk).toHaveLength(8);
  });

  it('reports sections cut short (the command timed out inside df) and the rest as parsed', () => {
    const whole = outputOf('centos7-3.10');
    const cut = whole.slice(0, whole.indexOf('/dev/sda1'));
    const metrics = parseMetricsOutput(cut);
    expect(metrics.cpu?.percent).toBe(21.25);
    expect(metrics.disk).toBeUndefined();
    expect(metrics.errors?.disk?.message).toBe(
      'disk: the output ended inside the disk section (`df -P -k` did not finish)',
    );
  });

  it('skips a login banner, and says so when there are no sections at all', () => {
    const metrics = parseMetricsOutput(
      outputOf('centos7-3.10', 'Welcome to prod!\nUnauthorized access prohibited\n'),
    );
    expect(metrics.errors).toBeUndefined();
    const none = parseMetricsOutput('sh: 1: env: not found\n', ['cpu', 'memory']);
    expect(none.errors?.cpu?.message).toBe(
      'cpu: the output has no metrics sections; it begins "sh: 1: env: not found"',
    );
    expect(Object.keys(none).sort()).toEqual(['errors']);
    expect(parseMetricsOutput('', ['load']).errors?.load?.message).toMatch(/it is empty/);
    const other = parseMetricsOutput('@@sre-kit:metrics 1\n@@sre-kit:end .\n', ['os']);
    expect(other.errors?.os?.message).toBe('os: the output has no os section');
  });

  it('rejects metric names it does not know', () => {
    expect(() => parseMetricsOutput('', ['swap' as MetricName])).toThrow(
      expect.objectContaining({ code: 'SRE_USAGE' }),
    );
  });
});
