import { formatPath } from '../errors/index.js';
import type { JsonValue } from '../internal/json-safe.js';
import { isJsonObject } from './merge-patch.js';

/** One difference between two JSON documents. */
export interface JsonChange {
  /** The JSON path, as `server.port` or `hosts[2]`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: JsonValue;
  after?: JsonValue;
}

/** The paths where `after` differs from `before`, deepest first where objects differ. */
export function diffJson(
  before: unknown,
  after: unknown,
  path: (string | number)[] = [],
  out: JsonChange[] = [],
): JsonChange[] {
  if (isJsonObject(before) && isJsonObject(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key))
        out.push({ path: formatPath([...path, key]), kind: 'removed', before: before[key] as JsonValue });
      else diffJson(before[key], after[key], [...path, key], out);
    }
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key))
        out.push({ path: formatPath([...path, key]), kind: 'added', after: after[key] as JsonValue });
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    for (const [index, item] of before.entries()) diffJson(item, after[index], [...path, index], out);
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({
      path: formatPath(path),
      kind: 'changed',
      before: before as JsonValue,
      after: after as JsonValue,
    });
  }
  return out;
}
