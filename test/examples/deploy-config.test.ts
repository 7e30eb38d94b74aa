import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runScript, startScript, tsxBin } from '../helpers/run-script.js';
import { type Sshd, sftpTestsEnabled, startSshd } from '../helpers/sshd.js';

const script = join(repoRoot, 'examples', 'deploy-config.ts');
const enabled = sftpTestsEnabled();

// The previous configs, with bytes a re-serialisation would not keep (spacing, no final newline).
const OLD: Record<string, string> = {
  dev: '{ "port": 7000,  "env": "dev" }\n',
  staging: '{"port":7001,"env":"staging"}',
  prod: '{\n\t"port": 7002, "env": "prod", "note": "h\\u00e9"\n}\n',
};
const NEW = '{ "port": 8080, "env": "any" }\n';
const SCHEMA = {
  type: 'object',
  required: ['port'],
  properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } },
};

let server: Server;
let base: string;
let root: string;
let dir: string;
const requests: string[] = [];

beforeAll(async () => {
  // The health endpoints: every environment is healthy but prod (and /down).
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/hang') return; // never answers
    response.statusCode = request.url === '/prod' || request.url === '/down' ? 503 : 200;
    response.end(response.statusCode === 200 ? 'ok' : 'unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  root = await mkdtemp(join(tmpdir(), 'sre-kit-deploy-'));
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (root) await rm(root, { recursive: true, force: true });
});

let runs = 0;
beforeEach(async () => {
  dir = join(root, `run-${++runs}`);
  for (const env of ['dev', 'staging', 'prod']) {
    await mkdir(join(dir, env), { recursive: true });
    await writeFile(join(dir, env, 'app.json'), OLD[env] as string);
  }
  await writeFile(join(dir, 'app.schema.json'), JSON.stringify(SCHEMA));
  await writeFile(join(dir, 'new.json'), NEW);
  requests.length = 0;
});

const environment = (name: string, health: string, more = '') =>
  `  - name: ${name}\n    target: ${join(dir, name, 'app.json')}\n    health: ${health}\n${more}`;
const httpEnvironments = () =>
  `schema: app.schema.json\nenvironments:\n${['dev', 'staging', 'prod']
    .map((name) => environment(name, `{ url: "${base}/${name}", timeoutMs: 5000 }`))
    .join('')}`;
const deploy = async (environmentsYaml: string, ...more: string[]) => {
  await writeFile(join(dir, 'environments.yaml'), environmentsYaml);
  return runScript(tsxBin, [
    script,
    join(dir, 'new.json'),
    '--environments',
    join(dir, 'environments.yaml'),
    ...more,
  ]);
};
const contents = async () =>
  Object.fromEntries(
    await Promise.all(
      (await readdir(dir, { recursive: true }))
        .sort()
        .map(async (name) => [
          name,
          (await stat(join(dir, name))).isDirectory() ? 'dir' : await readFile(join(dir, name), 'utf8'),
        ]),
    ),
  );

describe('examples/deploy-config.ts', () => {
  it('stops at the unhealthy environment, restores it byte for byte and says what was rolled back', async () => {
    await chmod(join(dir, 'staging', 'app.json'), 0o640);
    await chmod(join(dir, 'prod', 'app.json'), 0o600);
    const result = await deploy(httpEnvironments());
    expect(result.exitCode).toBe(1);
    expect(requests).toEqual(['/dev', '/staging', '/prod']);
    // The new file, its backup and a restored file all keep the mode of the file they replace.
    const mode = async (path: string) => (await stat(join(dir, path))).mode & 0o777;
    expect(await Promise.all(['staging/app.json', 'staging/app.json.bak'].map(mode))).toEqual([0o640, 0o640]);
    expect(await Promise.all(['prod/app.json', 'prod/app.json.bak'].map(mode))).toEqual([0o600, 0o600]);
    expect(await readFile(join(dir, 'dev', 'app.json'), 'utf8')).toBe(NEW);
    expect(await readFile(join(dir, 'staging', 'app.json'), 'utf8')).toBe(NEW);
    expect(await readFile(join(dir, 'prod', 'app.json'))).toEqual(Buffer.from(OLD.prod as string));
    expect(await readFile(join(dir, 'prod', 'app.json.bak'), 'utf8')).toBe(OLD.prod);
    expect(await readFile(join(dir, 'staging', 'app.json.bak'), 'utf8')).toBe(OLD.staging);
    expect(result.stdout).toContain('Promoting ');
    expect(result.stdout).toContain(' through dev → staging → prod\n');
    expect(result.stdout).toContain(`staging: healthy: HTTP 200 from ${base}/staging in `);
    const prod = join(dir, 'prod', 'app.json');
    expect(result.stderr).toBe(
      `prod: failed: HTTP 503 from ${base}/prod in ${/in (\d+) ms/.exec(result.stderr)?.[1]} ms\n` +
        `Promotion stopped at prod; prod was rolled back: ${prod} restored from ${prod}.bak; dev, staging keep the new config.\n`,
    );
  }, 120_000);

  it('runs command health checks; a first deploy rolled back removes the file it created', async () => {
    await rm(join(dir, 'staging', 'app.json'));
    const node = JSON.stringify(process.execPath);
    const yaml = `schema: app.schema.json\nenvironments:\n${environment('dev', `{ command: [${node}, -e, "process.exit(0)"] }`)}${environment(
      'staging',
      `{ command: [${node}, -e, "process.exit(3)"], attempts: 2, intervalMs: 10 }`,
    )}${environment('prod', `{ url: "${base}/prod" }`)}`;
    const result = await deploy(yaml);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('dev: healthy: `');
    expect(result.stdout).toContain('staging: nothing deployed yet, no backup\n');
    expect(result.stderr).toContain(
      `staging: failed: SRE_COMMAND_FAILED: Command failed with exit code 3: ${process.execPath} -e 'process.exit(3)'\n`,
    );
    const staging = join(dir, 'staging', 'app.json');
    expect(result.stderr).toContain(
      `Promotion stopped at staging; staging was rolled back: ${staging} removed (there was none before); dev keeps the new config.\n`,
    );
    expect(await readdir(join(dir, 'staging'))).toEqual([]);
    expect(await readFile(join(dir, 'prod', 'app.json'), 'utf8')).toBe(OLD.prod);
    expect(requests).toEqual([]); // prod was never reached
  }, 120_000);

  it('rolls back the environment whose health check Ctrl-C interrupted', async () => {
    const node = JSON.stringify(process.execPath);
    const hang = `{ command: [${node}, -e, "setTimeout(() => {}, 60000)"], timeoutMs: 60000 }`;
    await writeFile(
      join(dir, 'environments.yaml'),
      `schema: app.schema.json\nenvironments:\n${environment('dev', hang)}${environment('prod', `{ url: "${base}/dev" }`)}`,
    );
    const running = startScript(tsxBin, [
      script,
      join(dir, 'new.json'),
      '--environments',
      join(dir, 'environments.yaml'),
    ]);
    await running.waitForStdout(/dev: deployed /, 60_000);
    running.child.kill('SIGINT');
    const result = await running.done();
    // main() raises the signal again once the script has rolled back, so the shell sees it.
    expect(result.exitSignal).toBe('SIGINT');
    const dev = join(dir, 'dev', 'app.json');
    expect(result.stderr).toContain(
      `Promotion stopped at dev; dev was rolled back: ${dev} restored from ${dev}.bak.\n`,
    );
    expect(await readFile(dev, 'utf8')).toBe(OLD.dev);
    expect(await readFile(join(dir, 'prod', 'app.json'), 'utf8')).toBe(OLD.prod);
  }, 120_000);

  it('fails an HTTP check that does not answer in time, or cannot connect, saying why', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const yaml = (health: string) => `schema: app.schema.json\nenvironments:\n${environment('dev', health)}`;
    const slow = await deploy(yaml(`{ url: "${base}/hang", timeoutMs: 300, attempts: 2, intervalMs: 10 }`));
    expect(slow.exitCode).toBe(1);
    expect(requests).toEqual(['/hang', '/hang']);
    expect(slow.stderr).toContain(`dev: failed: ${base}/hang: no answer within 300 ms\n`);
    const refused = await deploy(yaml(`{ url: "http://127.0.0.1:${closed}/" }`));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `dev: failed: http://127.0.0.1:${closed}/: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    );
    expect(await readFile(join(dir, 'dev', 'app.json'), 'utf8')).toBe(OLD.dev);
  }, 120_000);

  it('--dry-run prints the plan, validates, and writes nothing', async () => {
    await writeFile(join(dir, 'environments.yaml'), httpEnvironments());
    const before = await contents();
    const result = await deploy(httpEnvironments(), '--dry-run');
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain(
      `  3. prod       ${join(dir, 'prod', 'app.json')}  (health: GET ${base}/prod)\n`,
    );
    expect(result.stdout).toContain(
      'Dry run: the config is valid for every environment; nothing was changed.\n',
    );
    expect(await contents()).toEqual(before);
    expect(requests).toEqual([]);
  }, 120_000);

  it('refuses a config the schema rejects before deploying anywhere (65)', async () => {
    await writeFile(join(dir, 'new.json'), '{ "port": "8080" }');
    await writeFile(join(dir, 'environments.yaml'), httpEnvironments());
    const before = await contents();
    const result = await deploy(httpEnvironments());
    expect(result.exitCode).toBe(65);
    expect(result.stderr).toMatch(
      /^error SRE_DATA_INVALID: Invalid .*new\.json \(schema .*app\.schema\.json of dev, staging, prod; nothing was deployed\): port: /,
    );
    expect(await contents()).toEqual(before);
  }, 120_000);

  it('names a bad entry of the environments file (78), and explains its options', async () => {
    const bad = `schema: app.schema.json\nenvironments:\n${environment('dev', `{ url: "${base}/dev" }`)}${environment('staging', `{ url: "${base}/staging", command: ["true"] }`)}`;
    const result = await deploy(bad);
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('environment 2 ("staging")');
    expect(result.stderr).toContain('give either url or command');
    const help = await runScript(tsxBin, [script, '--help']);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    for (const option of ['--environments', '--inventory', '--known-hosts', '--identity', '--dry-run'])
      expect(help.stdout).toContain(option);
    const usage = await runScript(tsxBin, [script, join(dir, 'new.json')]);
    expect(usage.exitCode).toBe(64);
  }, 120_000);

  describe.skipIf(!enabled)('an environment on a host over SFTP (a real sshd)', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd({ sftp: true });
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('deploys, health-checks and on failure restores the remote file', async () => {
      await writeFile(join(dir, 'known_hosts'), `${sshd.knownHostsLines().join('\n')}\n`);
      await writeFile(
        join(dir, 'hosts.yaml'),
        `hosts:\n  - { name: web-1, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user} }\n`,
      );
      const ssh = [
        '--inventory',
        join(dir, 'hosts.yaml'),
        '--known-hosts',
        join(dir, 'known_hosts'),
        '--identity',
        sshd.userKey.path,
      ];
      const remote = (health: string) =>
        `schema: app.schema.json\nenvironments:\n${environment('dev', `{ url: "${base}/dev" }`)}${environment('prod', health, '    host: web-1\n')}`;
      const prod = join(dir, 'prod', 'app.json');
      const ok = await deploy(remote(`{ url: "${base}/staging" }`), ...ssh);
      expect(ok.stderr).toBe('');
      expect(ok.exitCode).toBe(0);
      expect(ok.stdout).toContain(`prod: backed up to web-1:${prod}.bak\nprod: deployed web-1:${prod}\n`);
      expect(await readFile(prod, 'utf8')).toBe(NEW);
      expect(await readFile(`${prod}.bak`, 'utf8')).toBe(OLD.prod);

      await writeFile(prod, OLD.prod as string);
      const failed = await deploy(remote(`{ url: "${base}/down" }`), ...ssh);
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toContain(
        `prod was rolled back: web-1:${prod} restored from web-1:${prod}.bak; dev keeps`,
      );
      expect(await readFile(prod, 'utf8')).toBe(OLD.prod);
      expect((await readdir(join(dir, 'prod'))).sort()).toEqual(['app.json', 'app.json.bak']);

      // A host that cannot be trusted gets nothing: no backup, no deploy, nothing to roll back.
      await writeFile(join(dir, 'known_hosts'), '');
      await rm(`${prod}.bak`);
      const untrusted = await deploy(remote(`{ url: "${base}/staging" }`), ...ssh);
      expect(untrusted.exitCode).toBe(1);
      expect(untrusted.stderr).toContain('prod: cannot reach web-1: SRE_REMOTE_HOST_KEY_UNKNOWN: ');
      expect(untrusted.stderr).toContain(
        'Promotion stopped at prod; nothing was deployed there, nothing to roll back; dev keeps the new config.\n',
      );
      expect(await readdir(join(dir, 'prod'))).toEqual(['app.json']);
      expect(await readFile(prod, 'utf8')).toBe(OLD.prod);
    }, 120_000);
  });
});
