#!/usr/bin/env node
// Checks the API reference that `typedoc` wrote to docs/api/ (npm run docs runs both):
// every public subpath has its own module page, and every exported declaration whose TSDoc
// has an `@example` shows that example on its page. typedoc itself already fails on
// warnings (treatWarningsAsErrors); this catches what it does not warn about, such as a
// module folded into another page or an example lost to a broken comment.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'docs', 'api');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json' && key !== '.')
  .map((key) => key.slice(2));

const problems = [];
const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

if (!existsSync(join(out, 'index.html'))) problems.push('docs/api/index.html is missing');
for (const module of [pkg.name, ...subpaths]) {
  if (!existsSync(join(out, 'modules', `${module}.html`))) problems.push(`no module page for ${module}`);
}

// A TSDoc block right before `export function|class|const|interface|type NAME`.
const DECLARATION =
  /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function|class|const|let|interface|type)\s+([A-Za-z_$][\w$]*)/g;
// typedoc files a `const f = () => …` under functions/.
const FOLDERS = {
  function: ['functions'],
  class: ['classes'],
  const: ['variables', 'functions'],
  let: ['variables', 'functions'],
  interface: ['interfaces'],
  type: ['types'],
};
let examples = 0;
for (const subpath of subpaths) {
  const index = read(join(root, 'src', subpath, 'index.ts')) ?? '';
  for (const file of readdirSync(join(root, 'src', subpath)).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(root, 'src', subpath, file), 'utf8');
    for (const [, comment, kind, name] of source.matchAll(DECLARATION)) {
      if (!comment.includes('@example')) continue;
      // Only what the subpath's index exports is documented.
      if (!new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`).test(index)) continue;
      const pages = FOLDERS[kind].map((folder) => `${folder}/${subpath}.${name}.html`);
      const page = pages.find((candidate) => existsSync(join(out, candidate))) ?? pages[0];
      const html = read(join(out, page));
      if (html === undefined)
        problems.push(`src/${subpath}/${file}: ${name} has an @example but no page ${page}`);
      else if (!html.includes('id="example"')) problems.push(`${page}: the @example of ${name} is not shown`);
      else examples += 1;
    }
  }
}
if (examples === 0) problems.push('no @example found on any page: the check itself is broken');

if (problems.length > 0) {
  console.error(`check-docs: ${problems.length} problem(s) in docs/api:`);
  for (const problem of problems) console.error(`- ${problem}`);
  process.exitCode = 1;
} else {
  console.log(`check-docs: ${subpaths.length + 1} module pages, ${examples} examples shown`);
}
