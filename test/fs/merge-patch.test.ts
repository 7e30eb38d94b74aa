import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../src/fs/index.js';

// RFC 7396, Appendix A: original, patch, result.
const RFC_EXAMPLES: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

/** The RFC's pseudo-code, written as plainly as possible, as the reference. */
function reference(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result = new Map<string, unknown>(
    target !== null && typeof target === 'object' && !Array.isArray(target) ? Object.entries(target) : [],
  );
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) result.delete(name);
    else result.set(name, reference(result.get(name), value));
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of result)
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

describe('applyMergePatch (RFC 7396)', () => {
  it.each(RFC_EXAMPLES)('%j patched with %j is %j', (original, patch, result) => {
    const before = JSON.stringify(original);
    expect(applyMergePatch(original, patch)).toEqual(result);
    expect(JSON.stringify(original)).toBe(before); // the target is not changed
  });

  it('agrees with the reference on arbitrary JSON (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const keys = fc.constantFrom('a', 'b', '__proto__', 'constructor', 'prototype', 'c');
    const patch = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 3 }, json, fc.dictionary(keys, fc.oneof(fc.constant(null), tie('node')))),
    })).node;
    fc.assert(
      fc.property(json, patch, (target, change) => {
        expect(JSON.stringify(applyMergePatch(target, change))).toBe(
          JSON.stringify(reference(target, change)),
        );
      }),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never lets __proto__ reach a prototype', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(result)).toBe(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
    );
  });
});
