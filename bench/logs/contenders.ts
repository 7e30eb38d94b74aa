import { fileURLToPath } from 'node:url';
import {
  ALL_WORDS,
  ALTERNATION,
  type Contender,
  type Input,
  inNode,
  type NodeWorker,
  onePass,
  parseWordCounts,
  perLevel,
  pythonPath,
} from './runners.js';

const TEXTBOOK = fileURLToPath(new URL('./textbook.py', import.meta.url));

// POSIX awk has no \b: the word boundary is spelled out. The first level word of the line
// counts, in any case (toupper), which is what a one-liner does.
const AWK = `BEGIN { re = "(^|[^A-Z0-9_])(" words ")([^A-Z0-9_]|$)" }
{ line = toupper($0); if (match(line, re)) { w = substr(line, RSTART, RLENGTH); gsub(/[^A-Z]/, "", w); n[w]++ } }
END { for (w in n) print n[w], w }`;

const z = (input: Input, flag: string) => (input === 'gzip' ? flag : '');

/** Names that the report uses as baselines. */
export const RIPGREP_PER_LEVEL = 'ripgrep per level';
export const TEXTBOOK_PYTHON = 'textbook Python';
export const SRE_KIT = 'sre-kit';
export const SRE_KIT_PARALLEL = 'sre-kit parallel';
export const NODE_GUNZIP = 'node gunzip';

/** Every contender, in the order of the tables. */
export const contenders = (worker: NodeWorker): Contender[] => [
  onePass(
    'cat',
    'floor',
    ['plain'],
    () => 'cat FILE > /dev/null',
    (target) => ['bash', '-c', 'cat "$1" > /dev/null', 'cat', target.path],
  ),
  onePass(
    'gzip -dc',
    'floor',
    ['gzip'],
    () => 'gzip -dc FILE > /dev/null (= zcat)',
    (target) => ['bash', '-c', 'gzip -dc "$1" > /dev/null', 'gzip', target.path],
  ),
  inNode(
    worker,
    'node read',
    'floor',
    'read loop',
    ['plain'],
    () => 'Node read loop (1 MiB reads, nothing done)',
  ),
  inNode(
    worker,
    NODE_GUNZIP,
    'floor',
    'zlib gunzip',
    ['gzip'],
    () => 'Node zlib gunzip alone (nothing done)',
  ),
  inNode(
    worker,
    SRE_KIT,
    'sre-kit',
    'countLevels',
    ['plain', 'gzip'],
    () => 'sre-kit countLevels (one thread)',
  ),
  inNode(
    worker,
    SRE_KIT_PARALLEL,
    'sre-kit',
    'countLevels parallel',
    ['plain', 'gzip'],
    () => 'sre-kit countLevels, parallel: true',
  ),
  perLevel(
    RIPGREP_PER_LEVEL,
    (input) => `rg ${z(input, '-z ')}-c -w -i -e WORD… FILE, one pass per level (7)`,
    (words, target) => [
      'rg',
      ...(target.input === 'gzip' ? ['-z'] : []),
      '-c',
      '-w',
      '-i',
      ...words.flatMap((word) => ['-e', word]),
      target.path,
    ],
  ),
  onePass(
    'ripgrep | sort | uniq',
    'tool',
    ['plain', 'gzip'],
    (input) => `bash -c 'rg ${z(input, '-z ')}-o -w -i "TRACE|…" FILE | sort | uniq -c'`,
    (target) => [
      'bash',
      '-c',
      `set -o pipefail; rg ${z(target.input, '-z ')}-o -w -i "$1" "$2" | sort | uniq -c`,
      'rg',
      ALTERNATION,
      target.path,
    ],
    parseWordCounts,
  ),
  perLevel(
    'grep per level',
    (input) => `${input === 'gzip' ? 'zgrep' : 'grep'} -c -w -i -e WORD… FILE, one pass per level (7)`,
    (words, target) => [
      target.input === 'gzip' ? 'zgrep' : 'grep',
      '-c',
      '-w',
      '-i',
      ...words.flatMap((word) => ['-e', word]),
      target.path,
    ],
  ),
  onePass(
    'awk',
    'tool',
    ['plain', 'gzip'],
    (input) => `${input === 'gzip' ? 'gzip -dc FILE | ' : ''}awk (one pass, first level word per line)`,
    (target) =>
      target.input === 'gzip'
        ? [
            'bash',
            '-c',
            'set -o pipefail; gzip -dc "$1" | awk -v words="$2" "$3"',
            'awk',
            target.path,
            ALTERNATION,
            AWK,
          ]
        : ['awk', '-v', `words=${ALTERNATION}`, AWK, target.path],
    parseWordCounts,
  ),
  {
    ...onePass(
      TEXTBOOK_PYTHON,
      'tool',
      ['plain', 'gzip'],
      (input) => `python3 textbook.py (re.findall per line${input === 'gzip' ? ', gzip.open' : ''})`,
      (target) => [pythonPath(), TEXTBOOK, target.path, ...ALL_WORDS],
      parseWordCounts,
    ),
    slowOn: ['plain', 'gzip'],
  },
];
