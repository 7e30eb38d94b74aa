/**
 * Which paths a watcher hands over: the names that are never complete files (temp and
 * partial names), the user's `ignore`, and the user's `filter`. Globs are matched here, not
 * with `path.matchesGlob`, which prints an ExperimentalWarning on Node 20 (a library never
 * prints by itself).
 */

/** A glob (or several), or a function of the path relative to the watched folder. */
export type PathMatcher = string | readonly string[] | ((relativePath: string) => boolean);

/**
 * Names that are never handed over: writers use them for files that are not complete yet
 * (`report.csv.tmp`, `download.part`, `.report.csv.swp`, editors' `report.csv~`), and a
 * writer that renames such a file to its final name is then seen under that name.
 */
export const TEMP_NAMES: readonly string[] = ['*.tmp', '*.part', '.*', '*~'];

/**
 * Compiles a glob to a RegExp over a `/`-separated relative path: `*` and `?` within one
 * segment, `**` across segments, `[abc]` / `[!abc]` classes, `{a,b}` alternatives. A glob
 * without a `/` matches the last segment at any depth (as in .gitignore): `*.log` matches
 * `a.log` and `2024/a.log`.
 */
export function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes('/');
  const pattern = glob.startsWith('/') ? glob.slice(1) : glob;
  let out = '';
  let inBraces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` is zero or more whole segments; a trailing `**` is anything below.
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:[^/]*(?:/|$))*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else if (char === '{') {
      inBraces++;
      out += '(?:';
    } else if (char === '}' && inBraces > 0) {
      inBraces--;
      out += ')';
    } else if (char === ',' && inBraces > 0) out += '|';
    else out += char.replace(/[.+^$()|\\{}]/g, '\\$&');
  }
  if (inBraces > 0) throw new SyntaxError(`unclosed { in glob ${JSON.stringify(glob)}`);
  return new RegExp(anchored ? `^${out}$` : `(?:^|/)${out}$`);
}

/** A predicate over relative paths from a matcher; `undefined` matches nothing. */
export function compileMatcher(matcher: PathMatcher | undefined): (relativePath: string) => boolean {
  if (matcher === undefined) return () => false;
  if (typeof matcher === 'function') return matcher;
  const globs = typeof matcher === 'string' ? [matcher] : matcher;
  const patterns = globs.map(globToRegExp);
  return (relativePath) => patterns.some((pattern) => pattern.test(relativePath));
}
