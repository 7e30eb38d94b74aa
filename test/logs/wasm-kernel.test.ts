import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVELS } from '../../src/logs/levels.js';
import { createTokenTable } from '../../src/logs/tokens.js';
import { createWasmCounter } from '../../src/logs/wasm/kernel.js';
import { EDGE_CASES, generateLogBuffer } from '../fixtures/logs/generate.js';
import { referenceCounts } from '../fixtures/logs/reference.js';
import { countByClassifier, countByKernel, expectSame, latin1, setups, utf8 } from './kernel-harness.js';

/** Lines for the token rule, its decoys and the rules next to it; bytes as latin1. */
const TOKEN_LINES = [
  'ERROR',
  'error',
  'Error',
  'eRROR',
  'ErRoR',
  'iNfO',
  'iNfo',
  'infO',
  'errOr',
  'INFo',
  'Info',
  'INFORMATION',
  'ERRORS',
  'DEBUGGER',
  'ERROR_RATE',
  '_ERROR',
  'info2',
  '2info',
  'ERR0R',
  `${utf8('é')}ERROR`,
  `ERROR${utf8('é')}`,
  `${utf8('日本')} WARN ${utf8('日本')}`,
  '\x80ERROR',
  'ERROR\xff',
  '\xffERROR\xff INFO',
  // Pack like INFO (a byte >= 0x80 folds to a letter value): not letters, so no word.
  'ind\xaf',
  'IND\x8f',
  '[ERROR]',
  '(warn)',
  'error:',
  ':error',
  'a-ERROR-b',
  'x.ERROR.y',
  'ERROR\tWARN',
  'ERROR at line start',
  'at line end ERROR',
  'INFORMATION ERRORS error_rate then warn',
  'ERRORS and INFO and ERROR',
  '2024-03-01T12:34:56.789Z INFO [main] started',
  '2024-03-01 12:34:56,789 WARNING root: disk',
  'T12:00:00Z INFO',
  'CRITICAL',
  'CRITICALS',
  'FATAL!',
  'crit',
  'Crit',
  'emerg alert',
  'ERR',
  'err',
  'Err',
  'NOTICE',
  'notice:',
  'TRACE',
  'trace',
  'no level here at all',
  '',
  ' ',
  '\t',
  '   ERROR indented',
  '\tat com.example.Main(Main.java:10) ERROR',
  '    at com.example.Main(Main.java:10)',
  '  {"level":"info"}',
  ' { not json ERROR',
  '{"level":"info"}',
  '{"level":"info"',
  '{not json} WARN',
  '{}',
  '<13>ERROR',
  '<999>ERROR',
  '<x> ERROR',
  'level=info',
  'level=INFO',
  'level=Info',
  'level=iNfO',
  'level=warn ERROR',
  'lvl=error',
  ' level=info',
  '\tlevel=info WARN',
  'msg=x level=Error',
  'msg=x\tlevel=Error WARN',
  'xlevel=info ERROR',
  'level=information',
  'level=verbose',
  'level=',
  'level= WARN',
  'level="warn"',
  'level="warn',
  'level="warn" ERROR',
  'level="two words"',
  'level=warn=x',
  'level=lvl=info',
  'level=abcdefghijklmnop',
  'lvl=',
  'lvl=ERR',
  'level:info',
  'LEVEL=info ERROR',
  'a=1 b=2 c=3 ERROR',
  '=ERROR=',
  'level=\xe9',
  'ERROR\r',
  '\rERROR',
  'a\rERROR',
  'ERROR\r\r',
  'Q',
  'q',
  'MEDIUM q LOW',
  'severe',
  'ABCDEFGHJ',
  'ABCDEFGHIL',
  'ABCDEFGHIM',
  'ABCDEFGHIJ',
  'abcdefghik',
  'Catastroph',
  'level=ABCDEFGHIL',
  'ABCDEFGHJX ABCDEFGHI',
];

describe('the WebAssembly kernel', () => {
  it('is available on the Node versions sre-kit supports', () => {
    expect(createWasmCounter(setups.default.table, setups.default.classifier)).toBeDefined();
  });

  it('is built from the kernel.c in the tree (run scripts/build-wasm.sh after changing it)', () => {
    const source = readFileSync(new URL('../../src/logs/wasm/kernel.c', import.meta.url));
    const generated = readFileSync(new URL('../../src/logs/wasm/kernel-wasm.ts', import.meta.url), 'utf8');
    const recorded = /kernel\.c sha256 ([0-9a-f]{64})/.exec(generated)?.[1];
    expect(recorded).toBe(createHash('sha256').update(source).digest('hex'));
  });

  it('is not used without WebAssembly (node --jitless) or for a table too big for it', () => {
    const script = `
      const { createWasmCounter } = await import(${JSON.stringify(new URL('../../src/logs/wasm/kernel.ts', import.meta.url).href)});
      const { createTokenTable } = await import(${JSON.stringify(new URL('../../src/logs/tokens.ts', import.meta.url).href)});
      console.log(typeof WebAssembly, String(createWasmCounter(createTokenTable())));`;
    const output = execFileSync(
      process.execPath,
      ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    expect(output.trim()).toBe('undefined undefined');
    const aliases: Record<string, string> = {};
    for (let i = 0; i < 1100; i++)
      aliases[`A${i.toString(26).replace(/\d/g, (d) => 'QRSTUVWXYZ'[Number(d)]!)}`] = 'INFO';
    expect(createWasmCounter(createTokenTable({ aliases }), setups.default.classifier)).toBeUndefined();
  });
});

describe('the WebAssembly kernel agrees with the JavaScript rules', () => {
  for (const [name, setup] of Object.entries(setups)) {
    it(`on each hand-written line, alone and with CRLF (${name} table)`, () => {
      for (const line of TOKEN_LINES) {
        for (const ending of ['\n', '\r\n', '']) {
          const bytes = latin1(line + ending);
          expect(countByKernel(setup, bytes), JSON.stringify(line + ending)).toEqual(
            countByClassifier(setup, bytes),
          );
        }
      }
    });

    it(`on all of them together, at every alignment to a 16-byte block (${name} table)`, () => {
      const all = TOKEN_LINES.join('\n');
      for (let shift = 0; shift < 18; shift++) expectSame(setup, latin1(`${'.'.repeat(shift)}\n${all}\n`));
    });
  }

  it('on a level word at every offset around the 16- and 64-byte windows, after every kind of byte', () => {
    const lines: string[] = [];
    for (let offset = 0; offset < 140; offset++) {
      for (const fill of [' ', '.', 'x', '1', '\xe9', '_']) {
        const before = fill.repeat(offset);
        for (const word of ['ERROR', 'error', 'Q', 'ABCDEFGHJ', 'INFORMATION'])
          for (const after of ['', ' ', 'S', '_', '\r', '9', '\xe9'])
            lines.push(`${before}${fill === ' ' ? '' : ' '}${word}${after}`, `${before}${word}${after} WARN`);
      }
    }
    const bytes = latin1(`${lines.join('\n')}\n`);
    for (const setup of Object.values(setups)) expectSame(setup, bytes, [1000, 70_000, 300_000, 1_000_000]);
  });

  it('on lines of every length up to 200 bytes, so that newlines fall on every block position', () => {
    const lines: string[] = [];
    for (let length = 0; length <= 200; length++)
      for (const word of ['ERROR', 'level=warn', '{"level":"info"}'])
        lines.push(
          `${'ab '.repeat(length).slice(0, Math.max(0, length - word.length))}${word}`.slice(0, length),
        );
    expectSame(setups.default, latin1(lines.join('\n')));
    expectSame(setups.default, latin1(lines.join('\r\n')));
  });

  it('on lines of 1 MB and more, longer than a kernel slice', () => {
    const mb = 1024 * 1024;
    const parts = [
      `${'x'.repeat(mb)} ERROR\n`,
      `ERROR ${'x'.repeat(mb)}\n`,
      `${' '.repeat(mb)}WARN\n`,
      `${'ab '.repeat(mb / 3)}INFO\n`,
      `${'\xe9'.repeat(mb)}\n`,
      `level=${'w'.repeat(mb)}\n`,
      `${'a'.repeat(3 * mb)}\n`,
      'INFO after\n',
      `${'INFORMATION '.repeat(mb / 12)}`,
    ];
    const bytes = latin1(parts.join(''));
    const truth = expectSame(setups.default, bytes, [mb / 2, mb + 7, 2 * mb, 5 * mb]);
    expect(truth.lines).toBe(9);
  });

  it('on more special lines than one kernel call holds', () => {
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++)
      lines.push(['{}', '<13>x', '{"level":"warn"}', 'level=nope', 'INFO', '{', ' {"lvl":50}'][i % 7]!);
    expectSame(setups.default, latin1(`${lines.join('\n')}\n`));
  });

  it('on every edge case of the definition', () => {
    for (const edge of EDGE_CASES) {
      const result = countByKernel(setups.default, edge.bytes);
      const reference = referenceCounts(edge.bytes);
      expect(result, edge.name).toEqual({
        levels: LEVELS.map((level) => reference.levels[level]),
        lines: reference.lines,
        unmatchedLines: reference.unmatchedLines,
        unrecognized: reference.unrecognized,
      });
    }
  });

  it('on 8 MB of the generated mixed log, whole and in uneven pieces, equal to its truth', () => {
    const { buffer, truth } = generateLogBuffer({ bytes: 8 * 1024 * 1024, seed: 61, bom: true });
    const expected = {
      levels: LEVELS.map((level) => truth.levels[level]),
      lines: truth.lines,
      unmatchedLines: truth.unmatchedLines,
      unrecognized: Object.fromEntries(
        Object.entries(truth.unrecognized).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    };
    expect(countByKernel(setups.default, buffer)).toEqual(expected);
    const cuts = Array.from({ length: 40 }, (_, i) => Math.floor((buffer.length * (i * i)) / 1600) + i);
    expect(countByKernel(setups.default, buffer, cuts)).toEqual(expected);
    expectSame(setups.caseSensitive, buffer, cuts);
    expectSame(setups.custom, buffer, cuts);
  });

  it('on random byte soup of level words, separators and random bytes, cut anywhere', () => {
    const words = [
      'ERROR',
      'error',
      'Error',
      'eRRor',
      'errOr',
      'ind\xaf',
      'INFO',
      'info',
      'WARN',
      'warning',
      'ERRORS',
      'INFORMATION',
      'DEBUGGER',
      'err',
      'FATAL',
      'Q',
      'q',
      'low',
      'SEVERE',
      'ABCDEFGHJ',
      'ABCDEFGHIL',
      'level=',
      'lvl=',
      ' level=',
      'level="',
      '{"level":"warn"}',
      '{"lvl":40}',
      '{',
      '}',
      '<13>',
      '<',
      '"',
      '=',
    ];
    const separators = [
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\r',
      '\n\n',
      '[',
      ']',
      ':',
      '_',
      '-',
      '.',
      '0',
      '9',
      '\xe9',
      '\xff',
    ];
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...words) },
      { weight: 4, arbitrary: fc.constantFrom(...separators) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      },
      { weight: 1, arbitrary: fc.constantFrom(' '.repeat(61), 'x'.repeat(63), 'ab'.repeat(40)) },
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 120 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 5 }),
        fc.constantFrom(...Object.values(setups)),
        (pieces, cuts, setup) => {
          const bytes = latin1(pieces.join(''));
          expect(countByKernel(setup, bytes, cuts)).toEqual(countByClassifier(setup, bytes));
        },
      ),
      { numRuns: 400 },
    );
  });
});
