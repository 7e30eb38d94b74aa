import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/logs/classify.js';
import { createTokenTable } from '../../src/logs/tokens.js';
import {
  countByClassifier,
  countByKernel,
  expectSame,
  latin1,
  type Setup,
  setups,
} from './kernel-harness.js';

// The kernel settles JSON, Docker-wrapped and syslog lines itself (kernel.c, json_level and
// text_level) and hands the rest to JavaScript: both must give what the classifier gives.

const numericSetups: Record<string, Setup> = {
  ...setups,
  winston: { table: setups.default.table, classifier: createClassifier(setups.default.table, 'winston') },
  syslog: { table: setups.default.table, classifier: createClassifier(setups.default.table, 'syslog') },
  noInfo: (() => {
    const table = createTokenTable({ levels: ['LOW', 'HIGH'], aliases: { ERROR: 'HIGH' } });
    return { table, classifier: createClassifier(table, 'pino') };
  })(),
};

const docker = (inner: string, extra = ',"stream":"stdout"') => `{"log":${JSON.stringify(inner)}${extra}}`;

/** JSON, Docker and syslog lines, valid and not, with every kind of level value; bytes as latin1. */
const JSON_LINES = [
  '{"level":"info"}',
  '{"level":"INFO","msg":"x"}',
  '{"level":"Warning"}',
  '{"level":"wArN"}',
  '{"level":"ERR"}',
  '{"level":"information"}',
  '{"level":"verbose"}',
  '{"level":"abcdefghij"}',
  '{"level":"ABCDEFGHJ"}',
  '{"level":""}',
  '{"level":" info "}',
  '{"level":"in\\u0066o"}',
  '{"level":"info\\n"}',
  '{"level":"30"}',
  '{"level":"030"}',
  '{"level":"1234567"}',
  '{"level":30}',
  '{"level":30.0}',
  '{"level":3e1}',
  '{"level":-30}',
  '{"level":0}',
  '{"level":6}',
  '{"level":127}',
  '{"level":128}',
  '{"level":999999}',
  '{"level":1000000}',
  '{"level":true}',
  '{"level":null}',
  '{"level":{"x":1}}',
  '{"level":["info"]}',
  '{"lvl":"error","level":"info"}',
  '{"severity":"ERROR","lvl":"debug"}',
  '{"level":"info","level":"error"}',
  '{"msg":"no level"}',
  '{"@t":"2024-03-01T00:00:00Z","@mt":"x"}',
  '{"@t":"2024","@l":"Warning"}',
  '{"levelname":"CRITICAL"}',
  '{"severityText":"WARN"}',
  '{"PRIORITY":"3"}',
  '{"PRIORITY":3}',
  '{"PRIORITY":"9"}',
  '{"PRIORITY":"x"}',
  '{"log.level":"warn"}',
  '{"log":{"level":"error","logger":"x"}}',
  '{"log":{"logger":"x","level":"error","level":"info"}}',
  '{"log":{"level":"error"},"log":{"logger":"x"}}',
  '{"log":{"level":"error"},"lvl":"info"}',
  '{"log":{"level":"error"},"@l":"info"}',
  '{"log.level":"warn","log":{"level":"error"}}',
  '{"LEVEL":"info"}',
  '{"l\\u0065vel":"info"} WARN',
  '  {"level":"info"}',
  '\t{"level":"info"} ',
  '{ "level" : "error" , "x" : [ 1 , 2 , { } , [ ] ] }',
  '{"x":"\\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9","level":"info"}',
  '{"x":"\\q","level":"info"} ERROR',
  '{"x":"\\u12g4","level":"info"} ERROR',
  '{"x":"tab\there","level":"info"} ERROR',
  '{"x":"\xe9\xff","level":"debug"}',
  '{"level":"info"} trailing ERROR',
  '{"level":"info"',
  '{"level":"info",}',
  '{"level" "info"}',
  '{"level":info}',
  '{"n":01,"level":"info"} WARN',
  '{"n":1.,"level":"info"} WARN',
  '{"n":-,"level":"info"} WARN',
  '{"n":1e,"level":"info"} WARN',
  '{"n":-0.5e+10,"level":"info"}',
  '{"n":tru,"level":"info"} WARN',
  '{"n":true,"m":false,"o":null,"level":"info"}',
  '{}',
  '{ }',
  '{} ERROR',
  `{"a":${'['.repeat(255)}${']'.repeat(255)},"level":"info"} WARN`,
  `{"a":${'['.repeat(256)}${']'.repeat(256)},"level":"info"} WARN`,
  `{"a":${'{"b":'.repeat(300)}1${'}'.repeat(300)},"level":"info"} WARN`,
  `{"msg":"${'x'.repeat(70)}\\"${'y'.repeat(40)}","level":"error"}`,
  docker('2024-03-01T00:00:00Z INFO started\n'),
  docker('2024-03-01T00:00:00Z INFO started\r\n'),
  docker('no level here\n'),
  docker('{"level":30,"msg":"x"}\n'),
  docker('  {"level":"warn"}'),
  docker('{"level":"warn"'),
  docker('{"level":"nope"}\n'),
  docker(docker('{"level":"error"}')),
  docker('{"log":"ERROR","stream":"x","level":"info"}'),
  docker('<11>ERROR x'),
  docker('<999>ERROR x'),
  docker('msg=x level=warn ERROR'),
  docker('msg=x level=nope ERROR'),
  docker('level="warn'),
  docker('\u00e9ERROR \u00e9 INFO'),
  docker('\u4e2dERROR'),
  docker('\u{1F600} WARN'),
  docker('x\u0000ERROR'),
  '{"log":"\\u4e2dERROR \\ud83d\\ude00 WARN","stream":"x"}',
  '{"log":"\\u0045RROR \\u00C9 \\u00e9","stream":"x"}',
  '{"log":"\\u2d49NFO","stream":"x"}',
  '{"log":"\\u007bLEVEL\\u0022:1}","stream":"x"}',
  docker(''),
  docker('\n'),
  docker('\r'),
  docker('INFO', ',"stream":1'),
  docker('INFO', ''),
  docker('INFO', ',"level":"error"'),
  `{"log":42,"stream":"stdout","level":"error"}`,
  `{"log":{"level":"warn"},"stream":"stdout"}`,
  docker(`${'x'.repeat(70_000)} ERROR`),
  '<13>ERROR',
  '<11>x',
  '<0>',
  '<191>x',
  '<192>INFO',
  '<1234>INFO',
  '<>INFO',
  '<6',
  '<x> WARN',
  ' <11>INFO',
];

describe('the WebAssembly kernel on JSON, Docker and syslog lines', () => {
  for (const [name, setup] of Object.entries(numericSetups)) {
    it(`agrees with the classifier on each line, alone and with CRLF (${name} table)`, () => {
      for (const line of JSON_LINES) {
        for (const ending of ['\n', '\r\n', '']) {
          const bytes = latin1(line + ending);
          expect(countByKernel(setup, bytes), JSON.stringify(line + ending).slice(0, 200)).toEqual(
            countByClassifier(setup, bytes),
          );
        }
      }
    });
  }

  it('agrees on all of them together, at every alignment and cut, through LineCounter too', () => {
    const all = JSON_LINES.join('\n');
    for (let shift = 0; shift < 18; shift++)
      expectSame(setups.default, latin1(`${'.'.repeat(shift)}\n${all}\n`), [shift * 97, 70_001]);
  });

  it('agrees on Docker lines with escapes at every offset of the 16-byte copy blocks', () => {
    const lines: string[] = [];
    for (let before = 0; before < 40; before++)
      for (const after of [0, 1, 15, 16, 17, 33])
        for (const escaped of ['\\"', '\\\\', '\\n', '\\u0045', '\\t\\"'])
          lines.push(
            `{"log":"${'a'.repeat(before)}${escaped}${'b'.repeat(after)} ERROR${escaped}","stream":"x"}`,
            `{"log":"${'a'.repeat(before)} WARN${escaped}","stream":"x"}`,
            `{"log":"${'a'.repeat(before)}${escaped}RROR ${'b'.repeat(after)}","stream":"x"}`,
          );
    for (const setup of Object.values(numericSetups)) expectSame(setup, latin1(`${lines.join('\n')}\n`));
  });

  it('agrees on random JSON-like soup, cut anywhere', () => {
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '\\',
      '\\"',
      '\\u00',
      '\\n',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '"level"',
      '"lvl"',
      '"log"',
      '"stream"',
      '"@t"',
      '"PRIORITY"',
      '"log.level"',
      '"info"',
      '"ERROR"',
      '"30"',
      '30',
      '6',
      '1e3',
      '-',
      'true',
      'null',
      '<13>',
      'level=',
      'WARN',
      '\xe9',
      'x'.repeat(20),
    ];
    const piece = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...pieces) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      },
    );
    // Mostly well-formed lines with a random value, and raw soup.
    const line = fc.oneof(
      fc
        .tuple(fc.array(piece, { maxLength: 12 }), fc.constantFrom('level', 'lvl', 'log', 'PRIORITY', '@t'))
        .map(([value, key]) => `{"${key}":${value.join('')},"stream":"x"}`),
      fc.array(piece, { maxLength: 16 }).map((parts) => `{${parts.join('')}`),
      fc.array(piece, { maxLength: 16 }).map((parts) => docker(parts.join(''))),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 4 }),
        fc.constantFrom(...Object.values(numericSetups)),
        (lines, cuts, setup) => {
          const bytes = latin1(lines.join('\n'));
          expect(countByKernel(setup, bytes, cuts)).toEqual(countByClassifier(setup, bytes));
        },
      ),
      { numRuns: 500 },
    );
  });
});
