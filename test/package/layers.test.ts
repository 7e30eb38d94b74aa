import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const srcDir = join(root, 'src');

/**
 * The layers of DESIGN.md: each layer and the other layers its files may import (a file
 * may always import files of its own layer). Type-only imports count too: a type from a
 * higher layer couples the modules as much as a value does.
 *
 *   errors  <-  secrets (Secret, redact)  <-  process, fs  <-  logs, remote, secrets (rotation)
 *
 * `internal` (shared helpers, not exported) imports no module, so any layer may use it;
 * that is why `errors` and core `secrets` list it although DESIGN.md's picture leaves it
 * out. `root` is src/index.ts, which re-exports every module.
 */
const MAY_IMPORT = {
  internal: [],
  errors: ['internal'],
  secrets: ['errors', 'internal'],
  process: ['errors', 'secrets', 'internal'],
  fs: ['errors', 'secrets', 'internal'],
  'secrets-rotation': ['errors', 'secrets', 'process', 'fs', 'internal'],
  logs: ['errors', 'secrets', 'process', 'fs', 'internal'],
  remote: ['errors', 'secrets', 'process', 'fs', 'internal'],
  root: ['errors', 'secrets', 'process', 'fs', 'secrets-rotation', 'logs', 'remote', 'internal'],
} as const satisfies Record<string, readonly string[]>;
type Layer = keyof typeof MAY_IMPORT;

/**
 * The layer of a file: its folder under src/. In src/secrets, the rotation workflow sits
 * above fs (it stages versions in files): a file whose name contains `rotat` or `store`
 * belongs to that upper layer; the others (Secret, redact, readSecret) to the lower one.
 * secrets/index.ts lists both, so it is upper too: a lower module (process, fs) imports
 * `../secrets/secret.js` or `../secrets/redact.js`, never the index.
 */
function layerOf(file: string): Layer {
  const [first, ...rest] = relative(srcDir, file).split('/');
  if (rest.length === 0) return 'root';
  if (first === 'secrets' && /rotat|store|^index\.ts$/.test(basename(file))) return 'secrets-rotation';
  if (first !== undefined && first in MAY_IMPORT) return first as Layer;
  throw new Error(`${relative(root, file)}: src/${first}/ has no layer; add it to MAY_IMPORT`);
}

/** Packages that only some layers may load at run time (type-only imports are fine). */
const RUNTIME_PACKAGE_ONLY_IN: Record<string, readonly Layer[]> = {
  // The heavy dependencies stay in their block, so `sre-kit/process` never loads them.
  ssh2: ['remote'],
  chokidar: ['fs'],
};
/** Packages that a layer must not load at run time. errors is imported by everything: zod stays out. */
const NO_RUNTIME_PACKAGE: Partial<Record<Layer, readonly string[]>> = {
  errors: ['zod'],
};

interface Import {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/**
 * The imports of one file, from TypeScript's parser (comments, TSDoc `@example`s and
 * strings are not mistaken for imports). Counted: `import … from`, `export … from`, bare
 * `import '…'`, `import('…')` and `import('…').T` types. Only a statement-level
 * `import type` / `export type` is type-only: under `verbatimModuleSyntax`,
 * `import { type A } from 'x'` still loads `x`.
 */
function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push({ specifier: specifier.text, typeOnly, line: line + 1 });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every cycle reachable in `graph` (file → the files it imports), each as a path back to its start. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/** `./x.js` → `<dir>/x.ts` (or `./x/index.ts`); undefined when no such source exists. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

/** The package name of a bare specifier: `zod/v4` → `zod`, `@types/x/y` → `@types/x`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

interface ResolvedImport extends Import {
  /** The src file a relative import points at. */
  readonly target: string | undefined;
}
type Graph = ReadonlyMap<string, readonly ResolvedImport[]>;

const where = (file: string, line: number) => `${relative(root, file)}:${line}`;

/** Imports of a src file from a layer that its own layer may not import. */
function layerViolations(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    const layer = layerOf(file);
    const allowed: readonly Layer[] = MAY_IMPORT[layer];
    for (const { specifier, target, line } of imports) {
      if (target === undefined) continue;
      const other = layerOf(target);
      if (other !== layer && !allowed.includes(other)) {
        problems.push(`${where(file, line)}: ${layer} imports ${other} ('${specifier}')`);
      }
    }
  }
  return problems;
}

/** Run-time imports of packages that RUNTIME_PACKAGE_ONLY_IN or NO_RUNTIME_PACKAGE forbid. */
function packageViolations(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    const layer = layerOf(file);
    for (const { specifier, typeOnly, line } of imports) {
      if (typeOnly || specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const name = packageOf(specifier);
      const onlyIn = RUNTIME_PACKAGE_ONLY_IN[name];
      if (onlyIn && !onlyIn.includes(layer)) {
        problems.push(
          `${where(file, line)}: ${layer} loads '${specifier}', allowed only in ${onlyIn.join(', ')}`,
        );
      }
      if (NO_RUNTIME_PACKAGE[layer]?.includes(name)) {
        problems.push(
          `${where(file, line)}: ${layer} must not load '${specifier}' at run time (use \`import type\`)`,
        );
      }
    }
  }
  return problems;
}

const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(srcDir, name))
  .sort();
const graph: Graph = new Map(
  files.map((file) => [
    file,
    importsOf(file, readFileSync(file, 'utf8')).map((entry) => ({
      ...entry,
      target: entry.specifier.startsWith('.') ? resolveRelative(file, entry.specifier) : undefined,
    })),
  ]),
);

describe('imports between src files', () => {
  it('finds the source files and their imports', () => {
    expect(files).toContain(join(srcDir, 'index.ts'));
    expect(files).toContain(join(srcDir, 'errors', 'index.ts'));
    expect(graph.get(join(srcDir, 'index.ts'))?.length).toBeGreaterThan(0);
  });

  it('every relative import resolves to a file in src/, and src never imports itself by package name', () => {
    const problems: string[] = [];
    for (const [file, imports] of graph) {
      for (const { specifier, target, line } of imports) {
        if (specifier.startsWith('.') && (target === undefined || !target.startsWith(srcDir))) {
          problems.push(`${where(file, line)}: '${specifier}' does not resolve to a file in src/`);
        }
        if (packageOf(specifier) === 'sre-kit') {
          problems.push(`${where(file, line)}: imports '${specifier}'; use a relative import`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no circular imports', () => {
    const edges = new Map(
      [...graph].map(([file, imports]) => [file, imports.flatMap(({ target }) => (target ? [target] : []))]),
    );
    const cycles = findCycles(edges).map((cycle) => cycle.map((file) => relative(srcDir, file)).join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('respects the layers of DESIGN.md: nothing imports a layer above its own', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('loads the heavy or layer-bound packages only where allowed (type-only imports are fine)', () => {
    expect(packageViolations(graph)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('read every kind of import, type-only ones as such, and skip comments and strings', () => {
    const text = [
      '/** @example',
      " * import { x } from 'in-a-comment';",
      ' */',
      "import type { ZodError } from 'zod';",
      "import { type ZodType } from 'zod/v4';",
      "import { a } from './a.js';",
      "import './side-effect.js';",
      "export * from './b/index.js';",
      "export type { T } from './types.js';",
      "const lazy = () => import('ssh2');",
      "type Lazy = import('chokidar').FSWatcher;",
      'const text = "import { y } from \'in-a-string\'";',
    ].join('\n');
    expect(importsOf('example.ts', text).map(({ specifier, typeOnly }) => [specifier, typeOnly])).toEqual([
      ['zod', true],
      ['zod/v4', false],
      ['./a.js', false],
      ['./side-effect.js', false],
      ['./b/index.js', false],
      ['./types.js', true],
      ['ssh2', false],
      ['chokidar', true],
    ]);
  });

  it('find cycles, and only cycles', () => {
    const cycles = findCycles(
      new Map([
        ['a', ['b']],
        ['b', ['c', 'd']],
        ['c', ['a']],
        ['d', []],
      ]),
    );
    expect(cycles).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('report an upward import, a heavy package out of its block and zod loaded by errors', () => {
    const src = (path: string) => join(srcDir, path);
    const edge = (specifier: string, target?: string, typeOnly = false): ResolvedImport => ({
      specifier,
      typeOnly,
      line: 1,
      target: target && src(target),
    });
    const synthetic: Graph = new Map([
      [
        src('errors/a.ts'),
        [edge('../process/run.js', 'process/run.ts'), edge('../internal/x.js', 'internal/x.ts')],
      ],
      [src('secrets/secret.ts'), [edge('./rotate.js', 'secrets/rotate.ts')]],
      [
        src('secrets/rotate.ts'),
        [edge('../fs/json.js', 'fs/json.ts'), edge('./secret.js', 'secrets/secret.ts')],
      ],
      [
        src('process/run.ts'),
        [edge('ssh2'), edge('chokidar', undefined, true), edge('../secrets/index.js', 'secrets/index.ts')],
      ],
      [src('errors/zod.ts'), [edge('zod'), edge('zod/v4', undefined, true)]],
      [src('remote/ssh.ts'), [edge('ssh2'), edge('zod')]],
    ]);
    expect(layerViolations(synthetic).map((problem) => problem.split(': ')[1])).toEqual([
      "errors imports process ('../process/run.js')",
      "secrets imports secrets-rotation ('./rotate.js')",
      "process imports secrets-rotation ('../secrets/index.js')",
    ]);
    expect(packageViolations(synthetic).map((problem) => problem.split(': ')[1])).toEqual([
      "process loads 'ssh2', allowed only in remote",
      "errors must not load 'zod' at run time (use `import type`)",
    ]);
  });

  it('classify files into layers', () => {
    expect(layerOf(join(srcDir, 'index.ts'))).toBe('root');
    expect(layerOf(join(srcDir, 'errors', 'classes.ts'))).toBe('errors');
    expect(layerOf(join(srcDir, 'secrets', 'redact.ts'))).toBe('secrets');
    expect(layerOf(join(srcDir, 'secrets', 'rotate.ts'))).toBe('secrets-rotation');
    expect(layerOf(join(srcDir, 'secrets', 'store.ts'))).toBe('secrets-rotation');
    expect(layerOf(join(srcDir, 'secrets', 'index.ts'))).toBe('secrets-rotation');
    expect(layerOf(join(srcDir, 'secrets', 'read.ts'))).toBe('secrets');
    expect(() => layerOf(join(srcDir, 'unknown', 'x.ts'))).toThrow(/no layer/);
  });
});
