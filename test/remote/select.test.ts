import { describe, expect, it } from 'vitest';
import { InventorySchema } from '../../src/remote/inventory-schema.js';
import { selectHosts } from '../../src/remote/select.js';

const inventory = InventorySchema.parse({
  hosts: [
    { name: 'web-1', groups: ['web'], tags: ['prod', 'eu'] },
    { name: 'web-2', groups: ['web', 'canary'], tags: ['prod', 'us'] },
    { name: 'web-10', groups: ['web'], tags: ['staging', 'eu'] },
    { name: 'api-1', groups: ['api'], tags: ['prod', 'eu'] },
    { name: 'db-a', groups: ['db'], tags: ['prod', 'eu'] },
    { name: 'db.b', groups: ['db'], tags: ['prod', 'us'] },
  ],
});
const names = (options: Parameters<typeof selectHosts>[1]) =>
  selectHosts(inventory, options).map((host) => host.name);

describe('selectHosts()', () => {
  it('returns every host, in order, without criteria', () => {
    expect(names({})).toEqual(['web-1', 'web-2', 'web-10', 'api-1', 'db-a', 'db.b']);
    expect(selectHosts(inventory).length).toBe(6);
  });

  it('groups: any of them; tags: all of them; both together', () => {
    expect(names({ groups: ['web', 'db'] })).toEqual(['web-1', 'web-2', 'web-10', 'db-a', 'db.b']);
    expect(names({ tags: ['prod', 'eu'] })).toEqual(['web-1', 'api-1', 'db-a']);
    expect(names({ groups: 'web', tags: 'prod' })).toEqual(['web-1', 'web-2']);
  });

  it('pattern: globs on the whole name, any of several', () => {
    expect(names({ pattern: 'web-*' })).toEqual(['web-1', 'web-2', 'web-10']);
    expect(names({ pattern: 'web-?' })).toEqual(['web-1', 'web-2']);
    expect(names({ pattern: 'db-[ab]' })).toEqual(['db-a']);
    expect(names({ pattern: 'db[!-]?' })).toEqual(['db.b']);
    expect(names({ pattern: ['api-*', 'db.*'] })).toEqual(['api-1', 'db.b']);
    // `.` is literal, and a pattern matches the whole name, not a part.
    expect(names({ pattern: 'db.?' })).toEqual(['db.b']);
    expect(names({ pattern: 'web' })).toEqual([]);
    expect(names({ pattern: 'nothing-*' })).toEqual([]);
    expect(names({ pattern: 'web-[' })).toEqual([]);
    expect(names({ pattern: '[!]]*' })).toHaveLength(6);
  });

  it('all criteria together', () => {
    expect(names({ groups: ['web', 'api'], tags: ['eu'], pattern: '*-1' })).toEqual(['web-1', 'api-1']);
  });

  it('an unknown group or tag is an error: a typo must not select nothing quietly', () => {
    expect(() => selectHosts(inventory, { groups: ['wbe'] })).toThrow(
      expect.objectContaining({
        code: 'SRE_USAGE',
        message: 'selectHosts(): no host has the group "wbe"; known: api, canary, db, web',
      }),
    );
    expect(() => selectHosts(inventory, { tags: ['prod', 'eu', 'apac', 'latam'] })).toThrow(
      /no host has the tags "apac", "latam"; known: eu, prod, staging, us/,
    );
  });

  it('rejects options that are not strings', () => {
    expect(() => selectHosts(inventory, { groups: [1] as unknown as string[] })).toThrow(
      expect.objectContaining({
        code: 'SRE_USAGE',
        message: 'selectHosts(): option "groups" must be a string or a list of strings',
      }),
    );
  });
});
