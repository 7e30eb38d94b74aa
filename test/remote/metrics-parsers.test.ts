import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { computeCpuUsage, parseProcStat } from '../../src/remote/metrics-cpu.js';
import { parseDf } from '../../src/remote/metrics-disk.js';
import { parseMeminfo } from '../../src/remote/metrics-memory.js';
import { parseLoadavg, parseOsRelease, parseUptime } from '../../src/remote/metrics-system.js';

const fixtures = join(import.meta.dirname, '../fixtures/remote/proc');
const read = (host: string, file: string): string => readFileSync(join(fixtures, host, file), 'utf8');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseProcStat() and computeCpuUsage()', () => {
  // Expected figures come from the round deltas written into each sample (see the fixtures' README).
  const cases = [
    {
      host: 'centos7-3.10',
      columns: 10,
      usage: { percent: 21.25, user: 15, system: 6.25, iowait: 3.75, steal: 0, idle: 75, count: 4 },
    },
    {
      host: 'rhel5-2.6.18',
      columns: 8,
      usage: { percent: 45, user: 25, system: 10, iowait: 5, steal: 10, idle: 50, count: 2 },
    },
    {
      host: 'rhel4-2.6.9',
      columns: 7,
      usage: { percent: 45, user: 30, system: 15, iowait: 5, steal: null, idle: 50, count: 1 },
    },
    {
      host: 'ubuntu-22.04-many-disks',
      columns: 10,
      usage: { percent: 42.5, user: 30, system: 12.5, iowait: 7.5, steal: 0, idle: 50, count: 8 },
    },
    {
      // Captured on this machine: two samples 200 ms apart under load.
      host: 'linux-6.18-debian12',
      columns: 10,
      usage: { percent: 98.18, user: 50.91, system: 47.27, iowait: 0, steal: 0, idle: 1.82, count: 2 },
    },
  ];
  for (const { host, columns, usage } of cases) {
    it(`${host}: ${columns} columns`, () => {
      const before = parseProcStat(read(host, 'stat.1'));
      const after = parseProcStat(read(host, 'stat.2'));
      expect(before.steal === null).toBe(columns < 8);
      expect(before.guest === null).toBe(columns < 9);
      expect(computeCpuUsage(before, after)).toEqual(usage);
    });
  }

  it('reads a 2.4 kernel (four columns): iowait and steal are null, not 0', () => {
    const usage = computeCpuUsage(
      parseProcStat('cpu  12345 67 8910 1112131\n'),
      parseProcStat('cpu  12347 67 8911 1112138\n'),
    );
    expect(usage).toEqual({
      percent: 30,
      user: 20,
      system: 10,
      iowait: null,
      steal: null,
      idle: 70,
      count: 0,
    });
  });

  it('does not count guest time twice (it is already inside user)', () => {
    const usage = computeCpuUsage(
      parseProcStat('cpu  100 0 0 100 0 0 0 0 50 0\n'),
      parseProcStat('cpu  150 0 0 150 0 0 0 0 100 0\n'),
    );
    expect(usage.percent).toBe(50);
  });

  it('treats a counter that went backwards (NO_HZ iowait) as 0', () => {
    const usage = computeCpuUsage(
      parseProcStat('cpu  100 0 0 100 50 0 0 0 0 0\n'),
      parseProcStat('cpu  110 0 0 130 40 0 0 0 0 0\n'),
    );
    expect(usage).toMatchObject({ percent: 25, iowait: 0, idle: 75 });
  });

  it('fails with SRE_DATA_INVALID on identical samples or no cpu line', () => {
    const sample = parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\n');
    const same = thrown(() => computeCpuUsage(sample, sample));
    expect(hasCode(same, 'SRE_DATA_INVALID')).toBe(true);
    expect(same.message).toMatch(/no CPU time passed/);
    for (const text of [
      '',
      'cat: /proc/stat: No such file or directory\n',
      'cpu  1 2 x 4\n',
      'cpu  1 2 3\n',
    ]) {
      expect(
        hasCode(
          thrown(() => parseProcStat(text)),
          'SRE_DATA_INVALID',
        ),
      ).toBe(true);
    }
  });
});

describe('parseMeminfo()', () => {
  const cases = {
    'centos7-3.10': {
      totalBytes: 16_657_182_720,
      availableBytes: 11_840_839_680,
      availableEstimated: false,
      usedBytes: 4_816_343_040,
      usedPercent: 28.91,
      swapTotalBytes: 8_455_712_768,
      swapUsedBytes: 276_365_312,
      swapUsedPercent: 3.27,
    },
    // No MemAvailable before 3.14: free + buffers + cached.
    'rhel5-2.6.18': {
      totalBytes: 8_371_040_256,
      availableBytes: 5_703_999_488,
      availableEstimated: true,
      usedBytes: 2_667_040_768,
      usedPercent: 31.86,
      swapTotalBytes: 2_146_787_328,
      swapUsedBytes: 6_627_328,
      swapUsedPercent: 0.31,
    },
    'rhel4-2.6.9': {
      totalBytes: 1_059_254_272,
      availableBytes: 652_312_576,
      availableEstimated: true,
      usedBytes: 406_941_696,
      usedPercent: 38.42,
      swapTotalBytes: 2_080_366_592,
      swapUsedBytes: 45_008_896,
      swapUsedPercent: 2.16,
    },
    'ubuntu-22.04-many-disks': {
      totalBytes: 67_422_527_488,
      availableBytes: 52_464_196_608,
      availableEstimated: false,
      usedBytes: 14_958_330_880,
      usedPercent: 22.19,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
      swapUsedPercent: null,
    },
    'alpine-busybox': {
      totalBytes: 8_247_517_184,
      availableBytes: 7_180_641_280,
      availableEstimated: false,
      usedBytes: 1_066_875_904,
      usedPercent: 12.94,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
      swapUsedPercent: null,
    },
  };
  for (const [host, expected] of Object.entries(cases)) {
    it(host, () => {
      expect(parseMeminfo(read(host, 'meminfo'))).toEqual(expected);
    });
  }

  it('reads this machine (no swap) consistently', () => {
    const memory = parseMeminfo(read('linux-6.18-debian12', 'meminfo'));
    expect(memory.totalBytes).toBe(24_684_084 * 1024);
    expect(memory.usedBytes + memory.availableBytes).toBe(memory.totalBytes);
    expect(memory).toMatchObject({ availableEstimated: false, swapTotalBytes: 0, swapUsedPercent: null });
  });

  it('fails with SRE_DATA_INVALID without MemTotal', () => {
    const error = thrown(() => parseMeminfo('MemFree: 100 kB\n'));
    expect(hasCode(error, 'SRE_DATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/\/proc\/meminfo: no MemTotal/);
  });
});

describe('parseDf()', () => {
  it('reads mount points with spaces, a CIFS source with a space and a very long path', () => {
    const disks = parseDf(read('ubuntu-22.04-many-disks', 'df'));
    expect(disks).toHaveLength(16);
    const byMount = new Map(disks.map((disk) => [disk.mountPoint, disk]));
    expect(byMount.get('/srv/data with spaces/Q1 reports')).toEqual({
      filesystem: '/dev/sdc1',
      mountPoint: '/srv/data with spaces/Q1 reports',
      sizeBytes: 1_921_725_720 * 1024,
      usedBytes: 123_456_789 * 1024,
      availableBytes: 1_700_554_783 * 1024,
      usePercent: 7,
    });
    expect(byMount.get('/mnt/nas/team share')).toMatchObject({
      filesystem: '//nas.example.com/team share',
      usePercent: 71,
    });
    const long = '/mnt/Team Share/a very long directory name that goes on and on/and on/archive 2023 (final)';
    expect(byMount.get(long)).toMatchObject({ filesystem: '/dev/sdd1', usePercent: 9 });
    expect(byMount.get('/srv/overfull')).toMatchObject({ availableBytes: -30_000 * 1024, usePercent: 104 });
    expect(byMount.get('/snap/core20/2105')).toMatchObject({ availableBytes: 0, usePercent: 100 });
    // The stderr line df mixed in is not a disk.
    expect(disks.some((disk) => disk.filesystem.startsWith('df:'))).toBe(false);
  });

  it('reads busybox df -P', () => {
    const disks = parseDf(read('alpine-busybox', 'df'));
    expect(disks.map((disk) => disk.mountPoint)).toEqual([
      '/',
      '/dev',
      '/dev/shm',
      '/etc/resolv.conf',
      '/etc/hostname',
      '/etc/hosts',
      '/proc/acpi',
      '/sys/firmware',
    ]);
    expect(disks[0]).toEqual({
      filesystem: 'overlay',
      mountPoint: '/',
      sizeBytes: 61_255_492 * 1024,
      usedBytes: 38_345_680 * 1024,
      availableBytes: 19_768_028 * 1024,
      usePercent: 66,
    });
  });

  it('reads CentOS 7, RHEL 5 and this machine', () => {
    expect(parseDf(read('centos7-3.10', 'df')).find((disk) => disk.mountPoint === '/')).toMatchObject({
      filesystem: '/dev/mapper/centos-root',
      sizeBytes: 52_403_200 * 1024,
      usePercent: 36,
    });
    const rhel5 = parseDf(read('rhel5-2.6.18', 'df'));
    expect(rhel5.map((disk) => [disk.filesystem, disk.mountPoint])).toEqual([
      ['/dev/mapper/VolGroup00-LogVol00', '/'],
      ['/dev/xvda1', '/boot'],
      ['tmpfs', '/dev/shm'],
    ]);
    const here = parseDf(read('linux-6.18-debian12', 'df'));
    expect(here.find((disk) => disk.mountPoint === '/')?.filesystem).toBe('/dev/vda');
  });

  it('takes the block size from the header, a "-" capacity as null, and joins wrapped rows', () => {
    const text = [
      'Filesystem     512-blocks  Used Available Capacity Mounted on',
      '/dev/mapper/a-very-long-volume-group-name-lv_root',
      '                  2000      500      1500      25% /',
      'none                 0        0         0       - /proc',
      '',
    ].join('\n');
    expect(parseDf(text)).toEqual([
      {
        filesystem: '/dev/mapper/a-very-long-volume-group-name-lv_root',
        mountPoint: '/',
        sizeBytes: 1_024_000,
        usedBytes: 256_000,
        availableBytes: 768_000,
        usePercent: 25,
      },
      {
        filesystem: 'none',
        mountPoint: '/proc',
        sizeBytes: 0,
        usedBytes: 0,
        availableBytes: 0,
        usePercent: null,
      },
    ]);
  });

  it('keeps trailing spaces of a mount point and reads CRLF output', () => {
    const [disk] = parseDf(
      'Filesystem 1K-blocks Used Available Use% Mounted on\r\n/dev/sda1 10 5 5 50% /mnt/odd \r\n',
    );
    expect(disk?.mountPoint).toBe('/mnt/odd ');
  });

  it('fails with SRE_DATA_INVALID when there is no row', () => {
    const error = thrown(() => parseDf('df: invalid option -- P\nBusyBox v1.2 usage: df [-hk]\n'));
    expect(hasCode(error, 'SRE_DATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/no filesystem rows; got "df: invalid option/);
  });

  it('takes linear time on a hostile line', () => {
    const started = performance.now();
    const line = `${'1 '.repeat(200_000)}x`;
    expect(
      hasCode(
        thrown(() => parseDf(line)),
        'SRE_DATA_INVALID',
      ),
    ).toBe(true);
    expect(parseDf(`${'a '.repeat(100_000)}1 2 3 4% /m n`)[0]?.mountPoint).toBe('/m n');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reads many disks', () => {
    const rows = Array.from(
      { length: 500 },
      (_, i) => `/dev/sd${i} 1000 ${i} ${1000 - i} ${Math.ceil(i / 10)}% /data/disk ${i}`,
    );
    const disks = parseDf(['Filesystem 1024-blocks Used Available Capacity Mounted on', ...rows].join('\n'));
    expect(disks).toHaveLength(500);
    expect(disks[499]).toMatchObject({ mountPoint: '/data/disk 499', usedBytes: 499 * 1024 });
  });
});

describe('parseLoadavg(), parseUptime()', () => {
  it('reads every sample', () => {
    expect(parseLoadavg(read('centos7-3.10', 'loadavg'))).toEqual({
      load1: 1.27,
      load5: 0.98,
      load15: 0.85,
      running: 3,
      total: 612,
    });
    expect(parseLoadavg(read('ubuntu-22.04-many-disks', 'loadavg'))).toMatchObject({
      load1: 12.41,
      total: 2143,
    });
    expect(parseLoadavg(read('linux-6.18-debian12', 'loadavg')).total).toBeGreaterThan(0);
    expect(parseUptime(read('rhel5-2.6.18', 'uptime'))).toEqual({
      seconds: 31_536_000.12,
      idleSeconds: 60_123_456.78,
      bootTime: null,
    });
    expect(parseUptime(read('alpine-busybox', 'uptime'))).toEqual({
      seconds: 86_523.41,
      idleSeconds: 171_234.56,
      bootTime: null,
    });
    expect(parseUptime(read('linux-6.18-debian12', 'uptime')).seconds).toBeGreaterThan(0);
    // The boot time is the btime line of /proc/stat, as the metrics command sends it.
    const btime = (host: string) =>
      read(host, 'stat.1')
        .split('\n')
        .find((line) => line.startsWith('btime'));
    expect(parseUptime(read('rhel5-2.6.18', 'uptime'), btime('rhel5-2.6.18')).bootTime).toBe(
      '2014-05-13T16:53:20.000Z',
    );
    expect(
      parseUptime(read('linux-6.18-debian12', 'uptime'), `${btime('linux-6.18-debian12')}\n`).bootTime,
    ).toBe('2026-11-25T14:23:01.000Z');
    for (const bad of ['btime', 'btime -1', 'btime 12.5', 'intr 1 2 3']) {
      expect(() => parseUptime('1.0 2.0\n', bad)).toThrow(/Cannot parse the btime line of \/proc\/stat/);
    }
  });

  it('fails with SRE_DATA_INVALID on other text', () => {
    for (const text of ['', '0.1 0.2\n', '0.1 0.2 0.3 x/y 1\n']) {
      expect(
        hasCode(
          thrown(() => parseLoadavg(text)),
          'SRE_DATA_INVALID',
        ),
      ).toBe(true);
    }
    for (const text of ['', '12.5\n', 'up 3 days\n']) {
      expect(
        hasCode(
          thrown(() => parseUptime(text)),
          'SRE_DATA_INVALID',
        ),
      ).toBe(true);
    }
  });
});

describe('parseOsRelease()', () => {
  it('reads os-release of Debian (captured), CentOS, Ubuntu and Alpine', () => {
    expect(
      parseOsRelease(read('linux-6.18-debian12', 'os-release'), read('linux-6.18-debian12', 'uname')),
    ).toEqual({
      name: 'Debian GNU/Linux',
      id: 'debian',
      version: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      kernelName: 'Linux',
      kernelRelease: '6.18.44-fc-v669',
    });
    expect(parseOsRelease(read('centos7-3.10', 'os-release'), read('centos7-3.10', 'uname'))).toEqual({
      name: 'CentOS Linux',
      id: 'centos',
      version: '7',
      prettyName: 'CentOS Linux 7 (Core)',
      kernelName: 'Linux',
      kernelRelease: '3.10.0-1160.el7.x86_64',
    });
    expect(
      parseOsRelease(read('ubuntu-22.04-many-disks', 'os-release'), read('ubuntu-22.04-many-disks', 'uname')),
    ).toMatchObject({
      name: 'Ubuntu',
      version: '22.04',
      kernelRelease: '5.15.0-97-generic',
    });
    // Unquoted values.
    expect(
      parseOsRelease(read('alpine-busybox', 'os-release'), read('alpine-busybox', 'uname')),
    ).toMatchObject({
      name: 'Alpine Linux',
      id: 'alpine',
      version: '3.19.1',
    });
  });

  it('reads /etc/redhat-release on hosts older than os-release', () => {
    expect(parseOsRelease(read('rhel5-2.6.18', 'redhat-release'), read('rhel5-2.6.18', 'uname'))).toEqual({
      name: 'Red Hat Enterprise Linux Server',
      id: null,
      version: '5.11',
      prettyName: 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)',
      kernelName: 'Linux',
      kernelRelease: '2.6.18-419.el5xen',
    });
    expect(parseOsRelease(read('rhel4-2.6.9', 'redhat-release'), read('rhel4-2.6.9', 'uname'))).toMatchObject(
      {
        version: '4',
        kernelRelease: '2.6.9-103.ELsmp',
      },
    );
  });

  it('follows shell quoting, falls back to VERSION, and gives null for what is not stated', () => {
    const text = 'NAME=\'My "OS"\'\nVERSION="1.0 \\"beta\\""\nPRETTY_NAME=\n# a comment\n';
    expect(parseOsRelease(text, 'Linux 6.1.0\n')).toEqual({
      name: 'My "OS"',
      id: null,
      version: '1.0 "beta"',
      prettyName: null,
      kernelName: 'Linux',
      kernelRelease: '6.1.0',
    });
    expect(parseOsRelease('', 'Linux 4.19.0\n')).toMatchObject({
      name: null,
      version: null,
      kernelName: 'Linux',
    });
  });

  it('fails with SRE_DATA_INVALID on a bad uname line', () => {
    expect(
      hasCode(
        thrown(() => parseOsRelease('', 'sh: uname: not found\n')),
        'SRE_DATA_INVALID',
      ),
    ).toBe(true);
    expect(
      hasCode(
        thrown(() => parseOsRelease('', '')),
        'SRE_DATA_INVALID',
      ),
    ).toBe(true);
  });
});

it('sizes stay exact integers for petabyte filesystems', () => {
  const [disk] = parseDf(`/dev/md0 ${4 * 1024 ** 4} 1 ${4 * 1024 ** 4 - 1} 1% /big\n`);
  expect(disk?.sizeBytes).toBe(4 * 1024 ** 5);
  expect(Number.isSafeInteger(disk?.sizeBytes)).toBe(true);
});
