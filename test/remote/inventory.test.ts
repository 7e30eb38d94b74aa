import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode, isSreError, type SreError } from '../../src/errors/index.js';
import { loadInventory } from '../../src/remote/inventory.js';
import type { InventoryIssue } from '../../src/remote/inventory-errors.js';
import { InventorySchema } from '../../src/remote/inventory-schema.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-inventory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(extension: string, text: string): Promise<string> {
  const path = join(dir, `inventory-${++counter}.${extension}`);
  await writeFile(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<SreError> {
  try {
    await promise;
  } catch (error) {
    if (isSreError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const issuesOf = (error: SreError): InventoryIssue[] => error.details.issues as unknown as InventoryIssue[];

const YAML = `# production
defaults:
  user: deploy
  identityFile: keys/deploy_ed25519
  jump: bastion
  tags: [prod]
hosts:
  - name: bastion
    host: bastion.example.com
    port: 2222
    user: ops
    identityFile: ~/.ssh/ops
  - name: web-1
    host: 10.0.1.11
    groups: [web]
  - name: web-2
    host: 10.0.1.12
    groups: [web, canary]
    tags: [eu]
  - name: db-1
    groups: [db]
    port: 5022
    jump: admin@[2001:db8::1]:2200
`;

const JSON_TEXT = JSON.stringify({
  defaults: { user: 'deploy', identityFile: 'keys/deploy_ed25519', jump: 'bastion', tags: ['prod'] },
  hosts: [
    { name: 'bastion', host: 'bastion.example.com', port: 2222, user: 'ops', identityFile: '~/.ssh/ops' },
    { name: 'web-1', host: '10.0.1.11', groups: ['web'] },
    { name: 'web-2', host: '10.0.1.12', groups: ['web', 'canary'], tags: ['eu'] },
    { name: 'db-1', groups: ['db'], port: 5022, jump: 'admin@[2001:db8::1]:2200' },
  ],
});

// CSV has no defaults block: the same defaults come through the option.
const CSV = `\uFEFFname,host,port,user,identityFile,groups,tags,jump
# the bastion first
bastion,bastion.example.com,2222,ops,~/.ssh/ops,,,

web-1,10.0.1.11,,,,web,,
web-2,10.0.1.12,,,,"web;canary", eu ,
db-1,,5022,,,db,,admin@[2001:db8::1]:2200
`;
const CSV_DEFAULTS = { user: 'deploy', identityFile: 'keys/deploy_ed25519', jump: 'bastion', tags: ['prod'] };

function expected(base: string) {
  const bastion = {
    name: 'bastion',
    host: 'bastion.example.com',
    port: 2222,
    user: 'ops',
    identityFile: join(homedir(), '.ssh/ops'),
  };
  const identityFile = join(base, 'keys/deploy_ed25519');
  return {
    hosts: [
      { ...bastion, groups: [], tags: ['prod'] },
      {
        name: 'web-1',
        host: '10.0.1.11',
        port: 22,
        user: 'deploy',
        identityFile,
        groups: ['web'],
        tags: ['prod'],
        jump: bastion,
      },
      {
        name: 'web-2',
        host: '10.0.1.12',
        port: 22,
        user: 'deploy',
        identityFile,
        groups: ['web', 'canary'],
        tags: ['prod', 'eu'],
        jump: bastion,
      },
      {
        name: 'db-1',
        host: 'db-1',
        port: 5022,
        user: 'deploy',
        identityFile,
        groups: ['db'],
        tags: ['prod'],
        jump: { host: '2001:db8::1', port: 2200, user: 'admin' },
      },
    ],
  };
}

describe('loadInventory(): every format gives the same hosts', () => {
  it('YAML: defaults, default port and host, jump by name and by user@host:port, paths resolved', async () => {
    expect(await loadInventory(await fileWith('yaml', YAML))).toEqual(expected(dir));
  });

  it('JSON', async () => {
    expect(await loadInventory(await fileWith('json', JSON_TEXT))).toEqual(expected(dir));
  });

  it('CSV: header row, a;b lists, empty cells unset, comments, BOM, trimmed cells, defaults from the option', async () => {
    expect(await loadInventory(await fileWith('csv', CSV), { defaults: CSV_DEFAULTS })).toEqual(
      expected(dir),
    );
  });

  it('.yml, an upper-case extension, a bare YAML list and YAML merge keys', async () => {
    const text = `- &base { name: a, user: root, port: 2200 }\n- { <<: *base, name: b }\n`;
    const inventory = await loadInventory(await fileWith('YML', text));
    expect(inventory.hosts.map((host) => [host.name, host.user, host.port])).toEqual([
      ['a', 'root', 2200],
      ['b', 'root', 2200],
    ]);
  });

  it('format overrides the extension', async () => {
    const path = await fileWith('txt', 'hosts:\n  - name: a\n');
    expect((await loadInventory(path, { format: 'yaml' })).hosts[0]?.host).toBe('a');
    const error = await failure(loadInventory(path));
    expect(error.code).toBe('SRE_USAGE');
    expect(error.message).toMatch(/^loadInventory\(\): cannot tell the format of .*\.txt from its extension/);
  });

  it("the file's defaults win over the option's; lists are combined", async () => {
    const path = await fileWith(
      'yaml',
      'defaults: { user: file, groups: [g2] }\nhosts: [{ name: a }, { name: b, user: own }]\n',
    );
    const inventory = await loadInventory(path, { defaults: { user: 'option', port: 2022, groups: ['g1'] } });
    expect(inventory.hosts.map((host) => [host.user, host.port, host.groups])).toEqual([
      ['file', 2022, ['g1', 'g2']],
      ['own', 2022, ['g1', 'g2']],
    ]);
    const bad = await failure(loadInventory(path, { defaults: { port: 0 } }));
    expect(bad.code).toBe('SRE_USAGE');
    expect(bad.message).toMatch(
      /^Invalid loadInventory\(\) option "defaults": port: a port is from 1 to 65535/,
    );
  });

  it('an absolute identityFile stays as it is; the default jump host does not jump through itself', async () => {
    const path = await fileWith(
      'yaml',
      'defaults: { jump: b }\nhosts:\n  - { name: a, identityFile: /etc/keys/a }\n  - { name: b }\n',
    );
    const inventory = await loadInventory(path);
    expect(inventory.hosts[0]).toMatchObject({
      identityFile: '/etc/keys/a',
      jump: { name: 'b', host: 'b', port: 22 },
    });
    expect(inventory.hosts[1]?.jump).toBeUndefined();
  });
});

describe('loadInventory(): bad entries name the file, the entry and the field', () => {
  it('YAML: line, index, name and field of each problem', async () => {
    const path = await fileWith(
      'yaml',
      [
        'hosts:',
        '  - name: web-1',
        '  - name: web-2',
        '    prot: 22',
        '  - host: 10.0.0.3',
        '  - name: web-4',
        '    port: "22a"',
        '    groups: [web, "has space"]',
        '',
      ].join('\n'),
    );
    const error = await failure(loadInventory(path));
    expect(error.code).toBe('SRE_CONFIG_INVALID');
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      `Invalid inventory ${path}: ` +
        [
          'line 3: hosts[1] (web-2): Unrecognized key: "prot"',
          'line 5: hosts[2].name: required, expected string',
          'line 7: hosts[3] (web-4).port: expected number, received "22a"',
          'line 8: hosts[3] (web-4).groups[1]: a group or tag must not contain whitespace',
        ].join('; '),
    );
    expect(issuesOf(error)[2]).toEqual({
      path: 'hosts[3].port',
      message: 'expected number, received "22a"',
      entry: { index: 3, name: 'web-4' },
      field: 'port',
      line: 7,
      column: 11,
    });
    expect(error.details.source).toBe(path);
    // The chain keeps fromZodError's error, and under it the ZodError.
    expect((error.cause as SreError).code).toBe('SRE_CONFIG_INVALID');
    expect(((error.cause as Error).cause as Error).name).toBe('ZodError');
  });

  it('JSON: entry and field (JSON has no line numbers here)', async () => {
    const path = await fileWith(
      'json',
      JSON.stringify({ hosts: [{ name: 'a' }, { name: 'b', port: 70000, user: '-oProxyCommand=x' }] }),
    );
    const error = await failure(loadInventory(path));
    expect(error.message).toBe(
      `Invalid inventory ${path}: hosts[1] (b).port: a port is from 1 to 65535; hosts[1] (b).user: a user must not start with "-"`,
    );
  });

  it('CSV: the line of the row', async () => {
    const path = await fileWith('csv', 'name,port,groups\nweb-1,22,web\n\n# spare\nweb-2,x22,web\n');
    const error = await failure(loadInventory(path));
    expect(error.message).toBe(
      `Invalid inventory ${path}: line 5: hosts[1] (web-2).port: expected number, received "x22"`,
    );
    expect(issuesOf(error)[0]).toMatchObject({ line: 5, entry: { index: 1, name: 'web-2' }, field: 'port' });
  });

  it('a host or jump that would be read as an ssh option is refused', async () => {
    const host = await failure(
      loadInventory(await fileWith('yaml', 'hosts:\n  - { name: a, host: -oProxyCommand=touch }\n')),
    );
    expect(host.message).toContain('line 2: hosts[0] (a).host: a host must not start with "-"');
    // Jump hosts are resolved once every entry is valid on its own.
    const jump = await failure(
      loadInventory(await fileWith('yaml', 'hosts:\n  - { name: b, jump: "-J@x" }\n')),
    );
    expect(jump.message).toContain(
      'line 2: hosts[0] (b).jump: "-J@x" is neither a host of this inventory nor [user@]host[:port]',
    );
  });

  it('duplicate names', async () => {
    const path = await fileWith(
      'yaml',
      'hosts:\n  - name: web-1\n  - name: web-2\n  - name: web-1\n    host: 10.0.0.9\n',
    );
    const error = await failure(loadInventory(path));
    expect(error.message).toBe(
      `Invalid inventory ${path}: line 4: hosts[2] (web-1).name: duplicate name "web-1" (also hosts[0])`,
    );
  });

  it('jump hosts: unknown name, itself, chains, a bad port', async () => {
    const path = await fileWith(
      'yaml',
      [
        'defaults: { jump: bastoin }',
        'hosts:',
        '  - { name: a, jump: a }',
        '  - { name: b, jump: c }',
        '  - { name: c, jump: "ops@gw.example.com" }',
        '  - { name: d, jump: "gw.example.com:70000" }',
        '  - { name: e }',
        '',
      ].join('\n'),
    );
    const error = await failure(loadInventory(path));
    expect(issuesOf(error).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'hosts[0].jump: "a" cannot be its own jump host',
      'hosts[2].jump: "c" is a jump host (of "b"), so it cannot have a jump host itself: chains are not supported',
      'hosts[3].jump: "gw.example.com:70000": a port is from 1 to 65535',
      'defaults.jump: "bastoin" is not a host of this inventory (for a host outside it, write user@bastoin or bastoin:22)',
    ]);
    expect(error.message).toContain('line 1: defaults.jump: "bastoin" is not a host');
  });

  it('more than ten problems are summarised', async () => {
    const hosts = Array.from({ length: 14 }, (_, i) => ({ name: `h${i}`, port: -i - 1 }));
    const error = await failure(loadInventory(await fileWith('json', JSON.stringify({ hosts }))));
    expect(error.message).toMatch(/; and 4 more$/);
    expect(issuesOf(error)).toHaveLength(14);
  });

  it('an empty file, no hosts, a scalar', async () => {
    for (const [extension, text, message] of [
      ['yaml', '\n  \n', 'the file is empty'],
      ['csv', '', 'the file is empty'],
      ['yaml', 'hosts: []\n', 'line 1: hosts: an inventory needs at least one host'],
      ['csv', 'name,host\n', 'hosts: an inventory needs at least one host'],
      ['yaml', 'just text\n', 'line 1: (root): expected object, received "just text"'],
    ] as const) {
      const path = await fileWith(extension, text);
      const error = await failure(loadInventory(path));
      expect(error.code).toBe('SRE_CONFIG_INVALID');
      expect(error.message).toBe(`Invalid inventory ${path}: ${message}`);
    }
  });
});

describe('loadInventory(): syntax errors and missing files', () => {
  it('YAML syntax errors and duplicate keys give line and column', async () => {
    const path = await fileWith('yaml', 'hosts:\n  - name: a\n    port: x: 1\n');
    const error = await failure(loadInventory(path));
    expect(error.code).toBe('SRE_CONFIG_INVALID');
    expect(error.message).toBe(
      `${path}:3:11: not valid YAML: Nested mappings are not allowed in compact mappings`,
    );
    expect(error.details).toMatchObject({ line: 3, column: 11 });
    const duplicate = await failure(
      loadInventory(await fileWith('yaml', 'hosts:\n  - name: a\n    name: b\n')),
    );
    expect(duplicate.message).toMatch(/:3:5: not valid YAML: Map keys must be unique$/);
  });

  it('JSON syntax errors are SRE_FILE_INVALID_JSON (readJson), with a line', async () => {
    const error = await failure(
      loadInventory(await fileWith('json', '{\n  "hosts": [\n    { "name": "a" },\n  ]\n}')),
    );
    expect(error.code).toBe('SRE_FILE_INVALID_JSON');
    expect(error.details.line).toEqual(expect.any(Number));
  });

  it('CSV: inconsistent rows, an unclosed quote, unknown or duplicate columns, no name column', async () => {
    const cases = [
      ['name,host\na,b\nc\n', /:3: not valid CSV: Invalid Record Length: expect 2, got 1 on line 3$/],
      ['name,host\na,"b\n', /:2: not valid CSV: Quote Not Closed/],
      [
        'name,identity_file\na,b\n',
        /:1: unknown column "identity_file"; the columns are name, host, port, user, identityFile, groups, tags, jump/,
      ],
      ['name,host,host\na,b,c\n', /:1: column "host" appears twice/],
      ['host,port\na,22\n', /:1: the header has no "name" column/],
    ] as const;
    for (const [text, message] of cases) {
      const error = await failure(loadInventory(await fileWith('csv', text)));
      expect(error.code).toBe('SRE_CONFIG_INVALID');
      expect(error.message).toMatch(message);
    }
  });

  it('a missing file is SRE_FILE_NOT_FOUND in every format', async () => {
    for (const extension of ['yaml', 'json', 'csv']) {
      const error = await failure(loadInventory(join(dir, `missing.${extension}`)));
      expect(hasCode(error, 'SRE_FILE_NOT_FOUND')).toBe(true);
    }
  });
});

describe('InventorySchema', () => {
  it('validates and resolves objects built in code', () => {
    const inventory = InventorySchema.parse({
      defaults: { user: 'deploy', jump: 'bastion' },
      hosts: [
        { name: 'bastion', host: 'bastion.example.com' },
        { name: 'web-1', groups: ['web'] },
      ],
    });
    expect(inventory.hosts[1]).toEqual({
      name: 'web-1',
      host: 'web-1',
      port: 22,
      user: 'deploy',
      groups: ['web'],
      tags: [],
      jump: { name: 'bastion', host: 'bastion.example.com', port: 22, user: 'deploy' },
    });
    // Paths stay as written: only loadInventory knows the file they are relative to.
    expect(InventorySchema.parse([{ name: 'a', identityFile: 'k' }]).hosts[0]?.identityFile).toBe('k');
  });

  it('reports problems with their paths', () => {
    const result = InventorySchema.safeParse({ hosts: [{ name: 'a', port: '22' }], extra: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['hosts.0.port', '']);
  });
});
