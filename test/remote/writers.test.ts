import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAtomic } from '../../src/fs/index.js';
import type { HostResult } from '../../src/remote/types.js';
import { toCSV, toJSON, toNDJSON } from '../../src/remote/writers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-writers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ok = (host: string, extra: Partial<HostResult> = {}): HostResult => ({
  host,
  ok: true,
  startedAt: '2024-05-01T03:00:00.000Z',
  durationMs: 412,
  commands: {
    kernel: { exitCode: 0, stdout: '6.1.0-18-amd64\n', stderr: '', durationMs: 31 },
    failing: { exitCode: 3, stdout: '', stderr: 'no such unit\n', durationMs: 12 },
  },
  metrics: {
    cpu: { percent: 21.25, user: 15, system: 6.25, iowait: 3.75, steal: null, idle: 75, count: 4 },
    memory: {
      totalBytes: 16_657_182_720,
      availableBytes: 11_840_839_680,
      availableEstimated: false,
      usedBytes: 4_816_343_040,
      usedPercent: 28.91,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
      swapUsedPercent: null,
    },
    disk: [
      {
        filesystem: '/dev/sda1',
        mountPoint: '/',
        sizeBytes: 1000,
        usedBytes: 360,
        availableBytes: 640,
        usePercent: 36,
      },
      {
        filesystem: '//nas/team share',
        mountPoint: '/mnt/team share',
        sizeBytes: 2000,
        usedBytes: 1420,
        availableBytes: -20,
        usePercent: 101,
      },
    ],
  },
  ...extra,
});
const failed = (host: string, code: string, message: string): HostResult => ({
  host,
  ok: false,
  startedAt: '2024-05-01T03:00:00.000Z',
  durationMs: 3,
  commands: {},
  error: { code, message },
});

async function* slowly<T>(items: readonly T[], log: string[] = []): AsyncGenerator<T> {
  for (const item of items) {
    await sleep(5);
    log.push(`produced ${(item as HostResult).host}`);
    yield item;
  }
}

const parseCsv = (text: string): Record<string, string>[] => parse(text, { columns: true });

describe('toJSON()', () => {
  const results = [ok('web-1'), failed('web-2', 'SRE_REMOTE_CONNECT', 'connect ECONNREFUSED 10.0.0.2:22')];

  it('round-trips through JSON.parse', () => {
    const text = toJSON(results);
    expect(text.endsWith(']\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(results);
  });

  it('streams the same bytes from an async iterable, one piece per result', async () => {
    for (const indent of [0, 2, 4]) {
      const pieces: string[] = [];
      for await (const piece of toJSON(slowly(results), { indent })) pieces.push(piece);
      expect(pieces).toHaveLength(3);
      expect(pieces.join('')).toBe(toJSON(results, { indent }));
    }
    const empty: string[] = [];
    for await (const piece of toJSON(slowly<HostResult>([]))) empty.push(piece);
    expect(empty.join('')).toBe(toJSON([]));
    expect(JSON.parse(empty.join(''))).toEqual([]);
  });

  it('writes a file with writeAtomic as results arrive', async () => {
    const path = join(dir, 'results.json');
    await writeAtomic(path, toJSON(slowly(results)));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(results);
  });

  it('rejects a bad indent', () => {
    expect(() => toJSON(results, { indent: -1 })).toThrow(expect.objectContaining({ code: 'SRE_USAGE' }));
  });
});

describe('toNDJSON()', () => {
  it('one line per result, from an array', () => {
    const lines = [...toNDJSON([ok('a'), failed('b', 'SRE_REMOTE_AUTH', 'denied')])];
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[1]!)).toMatchObject({ host: 'b', error: { code: 'SRE_REMOTE_AUTH' } });
  });

  it('yields each line as its result arrives, not after the last one', async () => {
    const log: string[] = [];
    for await (const line of toNDJSON(slowly([ok('a'), ok('b'), ok('c')], log))) {
      log.push(`wrote ${JSON.parse(line).host}`);
    }
    expect(log).toEqual(['produced a', 'wrote a', 'produced b', 'wrote b', 'produced c', 'wrote c']);
  });
});

describe('toCSV()', () => {
  it('one row per host, metrics flattened, commands exit codes, error columns', () => {
    const text = [
      ...toCSV([ok('web-1'), failed('web-2', 'SRE_REMOTE_HOST_KEY_CHANGED', 'host key changed')]),
    ].join('');
    const [header] = text.split('\n');
    expect(header).toBe(
      [
        'host,ok,startedAt,durationMs,error.code,error.message',
        'cpu.percent,cpu.user,cpu.system,cpu.iowait,cpu.steal,cpu.idle,cpu.count',
        'memory.usedPercent,memory.totalBytes,memory.availableBytes,memory.usedBytes,memory.availableEstimated,memory.swapTotalBytes,memory.swapUsedBytes,memory.swapUsedPercent',
        'disk./.usePercent,disk./.availableBytes',
        'commands.kernel.exitCode,commands.failing.exitCode,metrics.errors',
      ].join(','),
    );
    const rows = parseCsv(text);
    expect(rows[0]).toMatchObject({
      host: 'web-1',
      ok: 'true',
      'cpu.percent': '21.25',
      'cpu.steal': '',
      'memory.usedPercent': '28.91',
      'memory.swapUsedPercent': '',
      'disk./.usePercent': '36',
      'commands.kernel.exitCode': '0',
      'commands.failing.exitCode': '3',
      'error.code': '',
    });
    expect(rows[1]).toMatchObject({
      host: 'web-2',
      ok: 'false',
      'error.code': 'SRE_REMOTE_HOST_KEY_CHANGED',
      'error.message': 'host key changed',
      'cpu.percent': '',
      'commands.kernel.exitCode': '',
    });
  });

  it('neutralises formula injection in every text cell, leaves numbers alone', () => {
    const evil = [
      '=HYPERLINK("http://x","y")',
      '+1+1',
      '-2+3',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      '\n=1',
      '\uFF1D1+1',
      'fine = text',
    ];
    const results = evil.map((text, index) => ({
      ...failed(`h${index}`, 'SRE_REMOTE_COMMAND_FAILED', text),
      commands: { probe: { exitCode: 1, stdout: text, stderr: '', durationMs: 1 } },
    }));
    const rows = parseCsv(
      [...toCSV(results, { columns: ['host', 'error.message', 'commands.probe.stdout'] })].join(''),
    );
    expect(rows.map((row) => row['error.message'])).toEqual([
      `'=HYPERLINK("http://x","y")`,
      `'+1+1`,
      `'-2+3`,
      `'@SUM(A1)`,
      `'\t=1`,
      `'\r=1`,
      `'\n=1`,
      `'\uFF1D1+1`,
      'fine = text',
    ]);
    expect(rows.map((row) => row['commands.probe.stdout'])).toEqual(rows.map((row) => row['error.message']));
    // A negative number is a number, not a formula.
    const disk = parseCsv(
      [...toCSV([ok('a')], { columns: ['disk./mnt/team share.availableBytes'] })].join(''),
    );
    expect(disk[0]).toEqual({ 'disk./mnt/team share.availableBytes': '-20' });
    // A hostile mount point in a column name is neutralised in the header too.
    const header = [...toCSV([ok('a')], { columns: ['=cmd', 'host'] })][0];
    expect(header).toBe(`'=cmd,host\n`);
  });

  it('quotes delimiters, quotes and newlines (stderr, stdout) so rows stay rows', () => {
    const result = {
      ...ok('a'),
      commands: { x: { exitCode: 0, stdout: 'a,"b"\nc', stderr: '', durationMs: 1 } },
    };
    const rows = parseCsv([...toCSV([result], { columns: ['host', 'commands.x.stdout'] })].join(''));
    expect(rows).toEqual([{ host: 'a', 'commands.x.stdout': 'a,"b"\nc' }]);
  });

  it('mounts: chosen mount points, all of them, or none without disk metrics', () => {
    const header = (results: HostResult[], options = {}) =>
      [...toCSV(results, options)][0]!.trim().split(',');
    expect(header([ok('a')], { mounts: ['/mnt/team share', '/nope'] })).toEqual(
      expect.arrayContaining(['disk./mnt/team share.usePercent', 'disk./nope.usePercent']),
    );
    expect(header([ok('a')], { mounts: 'all' }).filter((column) => column.startsWith('disk.'))).toEqual([
      'disk./.usePercent',
      'disk./.availableBytes',
      'disk./mnt/team share.usePercent',
      'disk./mnt/team share.availableBytes',
    ]);
    const { metrics: _metrics, ...commandsOnly } = ok('b');
    expect(header([commandsOnly])).toEqual([
      'host',
      'ok',
      'startedAt',
      'durationMs',
      'error.code',
      'error.message',
      'commands.kernel.exitCode',
      'commands.failing.exitCode',
    ]);
  });

  it('shows failed metrics in metrics.errors', () => {
    const result = ok('a', {
      metrics: {
        cpu: ok('a').metrics!.cpu!,
        errors: { disk: { code: 'SRE_DATA_INVALID', message: 'disk: no rows' } },
      },
    });
    const [row] = parseCsv([...toCSV([result])].join(''));
    expect(row).toMatchObject({
      'cpu.percent': '21.25',
      'disk./.usePercent': '',
      'metrics.errors': 'disk: no rows',
    });
  });

  it('streams from an async iterable: failures before the first ok host wait for it, then rows flow', async () => {
    const log: string[] = [];
    const results = [
      failed('down-1', 'SRE_REMOTE_CONNECT', 'refused'),
      failed('down-2', 'SRE_REMOTE_CONNECT_TIMEOUT', 'timeout'),
      ok('web-1'),
      ok('web-2'),
      failed('down-3', 'SRE_REMOTE_AUTH', 'denied'),
    ];
    const pieces: string[] = [];
    for await (const piece of toCSV(slowly(results, log))) {
      pieces.push(piece);
      log.push(`wrote ${piece.split('\n').length - 1} lines`);
    }
    expect(log).toEqual([
      'produced down-1',
      'produced down-2',
      'produced web-1',
      'wrote 4 lines',
      'produced web-2',
      'wrote 1 lines',
      'produced down-3',
      'wrote 1 lines',
    ]);
    // The same CSV as from the array.
    expect(pieces.join('')).toBe([...toCSV(results)].join(''));
  });

  it('streams with given columns from the first result on, and with no ok host at all', async () => {
    const pieces: string[] = [];
    for await (const piece of toCSV(slowly([failed('a', 'SRE_ABORTED', 'aborted')]), {
      columns: ['host', 'error.code'],
    })) {
      pieces.push(piece);
    }
    expect(pieces).toEqual(['host,error.code\n', 'a,SRE_ABORTED\n']);
    const none: string[] = [];
    for await (const piece of toCSV(
      slowly([failed('a', 'SRE_ABORTED', 'x'), failed('b', 'SRE_ABORTED', 'y')]),
      { header: false },
    )) {
      none.push(piece);
    }
    expect(none.join('')).toBe(
      `a,false,2024-05-01T03:00:00.000Z,3,SRE_ABORTED,x\nb,false,2024-05-01T03:00:00.000Z,3,SRE_ABORTED,y\n`,
    );
    const empty: string[] = [];
    for await (const piece of toCSV(slowly<HostResult>([]))) empty.push(piece);
    expect(empty).toEqual(['host,ok,startedAt,durationMs,error.code,error.message\n']);
  });

  it('writes a file with writeAtomic as results arrive; another delimiter', async () => {
    const path = join(dir, 'metrics.csv');
    await writeAtomic(
      path,
      toCSV(slowly([ok('a'), failed('b', 'SRE_REMOTE_AUTH', 'denied; try again')]), { delimiter: ';' }),
    );
    const rows = parse(await readFile(path, 'utf8'), { columns: true, delimiter: ';' }) as Record<
      string,
      string
    >[];
    expect(rows.map((row) => [row.host, row['error.message']])).toEqual([
      ['a', ''],
      ['b', 'denied; try again'],
    ]);
  });

  it('rejects bad options at the call, naming them', () => {
    for (const options of [
      { columns: [] },
      { mounts: 'some' },
      { delimiter: '"' },
      { header: 'yes' },
      { colums: ['host'] },
    ]) {
      expect(() => toCSV([], options as never)).toThrow(
        expect.objectContaining({
          code: 'SRE_USAGE',
          message: expect.stringMatching(/^Invalid toCSV\(\) options: /),
        }),
      );
    }
  });
});
