import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { hasCode, isSreError, type SreError } from '../../src/errors/index.js';
import type { Logger } from '../../src/internal/logger.js';
import { isSecret, type ReadSecretOptions, readSecret } from '../../src/secrets/index.js';
import { expectNoSecretIn } from '../helpers/leaks.js';

const VALUE = 'sk-live-6f1d0c9a7b3e-Secret/+=';
const NAME = 'API_KEY';
const isRoot = process.getuid?.() === 0;

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sre-kit-read-secret-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = join(root, `dir-${++counter}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** Writes `text` to `dir/name` and sets `mode` explicitly (writeFile's mode is filtered by the umask). */
async function secretFile(dir: string, name: string, text: string, mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

/**
 * A Kubernetes secret volume as the kubelet makes it: the files in a timestamped directory,
 * `..data` pointing at it, and each name a symlink into `..data`.
 */
async function kubernetesVolume(files: Record<string, string>, mode = 0o644): Promise<string> {
  const dir = await freshDir();
  const data = '..2024_01_01_00_00_00.000';
  await mkdir(join(dir, data), { mode: 0o755 });
  for (const [name, text] of Object.entries(files)) {
    await secretFile(join(dir, data), name, text, mode);
    await symlink(join('..data', name), join(dir, name));
  }
  await symlink(data, join(dir, '..data'));
  return dir;
}

/** Options that look only where the test says: no process.env, no /run/secrets. */
function only(options: ReadSecretOptions = {}): ReadSecretOptions {
  return { env: {}, directories: [], ...options };
}

async function failure(promise: Promise<unknown>): Promise<SreError> {
  try {
    await promise;
  } catch (error) {
    expect(isSreError(error), String(error)).toBe(true);
    return error as SreError;
  }
  throw new Error('expected readSecret() to fail');
}

function recordingLogger(): Logger & { calls: Array<{ level: string; object: unknown; message?: string }> } {
  const calls: Array<{ level: string; object: unknown; message?: string }> = [];
  const record = (level: string) => (object: Record<string, unknown>, message?: string) => {
    calls.push(message === undefined ? { level, object } : { level, object, message });
  };
  return {
    calls,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** Ownership tests need root to chown; on a developer machine they are skipped, in CI they must run. */
function requireRoot(context: TestContext): void {
  if (isRoot) return;
  if (process.env.CI) expect.fail('CI must run the secrets tests as root: chown to another uid needs root');
  context.skip('needs root to chown a file to another uid (run as root, as CI does)');
}

describe('readSecret() sources', () => {
  it('reads NAME from the environment', async () => {
    const secret = await readSecret(NAME, only({ env: { [NAME]: VALUE } }));
    expect(isSecret(secret)).toBe(true);
    expect(secret.reveal()).toBe(VALUE);
    expect(String(secret)).toBe('[REDACTED]');
  });

  it('reads the file that NAME_FILE names (mode 0600)', async () => {
    const path = await secretFile(await freshDir(), 'key.txt', `${VALUE}\n`);
    const secret = await readSecret(NAME, only({ env: { [`${NAME}_FILE`]: path } }));
    expect(secret.reveal()).toBe(VALUE);
  });

  it('reads NAME, or name in lower case, from the directories given, in order', async () => {
    const upper = await freshDir();
    await secretFile(upper, NAME, 'from-upper');
    const lower = await freshDir();
    await secretFile(lower, NAME.toLowerCase(), 'from-lower');
    const empty = await freshDir();
    expect((await readSecret(NAME, only({ directories: [empty, upper] }))).reveal()).toBe('from-upper');
    expect((await readSecret(NAME, only({ directories: [lower] }))).reveal()).toBe('from-lower');
    expect((await readSecret(NAME, only({ directories: [lower, upper] }))).reveal()).toBe('from-lower');
  });

  it("reads systemd's $CREDENTIALS_DIRECTORY/NAME from the env option", async () => {
    const credentials = await freshDir();
    await secretFile(credentials, NAME, VALUE, 0o400);
    const secret = await readSecret(NAME, only({ env: { CREDENTIALS_DIRECTORY: credentials } }));
    expect(secret.reveal()).toBe(VALUE);
  });

  it('looks at the sources in the order given, env first by default', async () => {
    const file = await secretFile(await freshDir(), 'key', 'from-file');
    const credentials = await freshDir();
    await secretFile(credentials, NAME, 'from-credentials');
    const directory = await freshDir();
    await secretFile(directory, NAME, 'from-directory');
    const env = { [NAME]: 'from-env', [`${NAME}_FILE`]: file, CREDENTIALS_DIRECTORY: credentials };
    const read = async (options: ReadSecretOptions) =>
      (await readSecret(NAME, { env, directories: [directory], ...options })).reveal();

    expect(await read({})).toBe('from-env');
    expect(await read({ sources: ['directory', 'credentials', 'file', 'env'] })).toBe('from-directory');
    expect(await read({ sources: ['credentials', 'env'] })).toBe('from-credentials');
    expect(await read({ sources: ['file', 'directory'] })).toBe('from-file');
    expect(await read({ env: { ...env, [NAME]: undefined } })).toBe('from-file');
    expect(await read({ env: { CREDENTIALS_DIRECTORY: credentials } })).toBe('from-credentials');
    expect(await read({ env: {} })).toBe('from-directory');
  });

  it('does not look at a source left out of sources', async () => {
    const directory = await freshDir();
    await secretFile(directory, NAME, VALUE);
    const error = await failure(
      readSecret(NAME, only({ directories: [directory], sources: ['env', 'file'] })),
    );
    expect(hasCode(error, 'SRE_SECRET_NOT_FOUND')).toBe(true);
    expect(error.message).not.toContain(directory);
  });

  it('trims exactly one trailing newline of a file', async () => {
    const dir = await freshDir();
    const cases: Array<[string, string]> = [
      ['a', 'a'],
      ['a\n', 'a'],
      ['a\n\n', 'a\n'],
      ['a\r\n', 'a'],
      ['a\r\n\r\n', 'a\r\n'],
      ['a\n\r', 'a\n\r'],
      [' a b \n', ' a b '],
      ['line1\nline2\n', 'line1\nline2'],
    ];
    for (const [index, [text, expected]] of cases.entries()) {
      await secretFile(dir, `case${index}`, text);
      const secret = await readSecret(`case${index}`, only({ directories: [dir] }));
      expect(secret.reveal(), JSON.stringify(text)).toBe(expected);
    }
  });

  it('treats empty values as absent: NAME, NAME_FILE, $CREDENTIALS_DIRECTORY, an empty or newline-only file', async () => {
    const credentials = await freshDir();
    await secretFile(credentials, NAME, '\n');
    const directory = await freshDir();
    await secretFile(directory, NAME, '');
    await secretFile(directory, NAME.toLowerCase(), 'found');
    const env = { [NAME]: '', [`${NAME}_FILE`]: '', CREDENTIALS_DIRECTORY: credentials };
    expect((await readSecret(NAME, { env, directories: [directory] })).reveal()).toBe('found');

    await rm(join(directory, NAME.toLowerCase()));
    const error = await failure(readSecret(NAME, { env, directories: [directory] }));
    expect(hasCode(error, 'SRE_SECRET_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(`environment variable ${NAME} (empty)`);
    expect(error.message).toContain(`${join(credentials, NAME)} (empty)`);
    expect(error.message).toContain(`${join(directory, NAME)} (empty)`);
    expect(await readSecret(NAME, { env, directories: [directory], required: false })).toBeUndefined();
  });

  it('rejects a name that is not a plain identifier, so it cannot leave the directory', async () => {
    const directory = await freshDir();
    await secretFile(directory, 'inside', VALUE);
    for (const name of ['', '../inside', 'a/b', 'API KEY', '.hidden', '-flag']) {
      const error = await failure(readSecret(name, only({ directories: [join(directory, 'sub')] })));
      expect(error.message, name).toMatch(
        /^readSecret\(\): .* is not a valid secret name \(letters, digits, _ \. -\)$/,
      );
      expect(hasCode(error, 'SRE_USAGE'), name).toBe(true);
    }
  });
});

describe('readSecret() file permissions', () => {
  it('refuses a file readable by others (0644), naming the file and the chmod that fixes it', async () => {
    const path = await secretFile(await freshDir(), 'key', VALUE, 0o644);
    for (const permissions of [undefined, 'strict', 'container-aware'] as const) {
      const options = only({ env: { [`${NAME}_FILE`]: path } });
      const error = await failure(readSecret(NAME, permissions ? { ...options, permissions } : options));
      expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
      expect(error.message).toContain(path);
      expect(error.message).toContain('0644');
      expect(error.message).toContain(`chmod 600 ${path}`);
      expect(error.details).toMatchObject({ path, mode: 0o644 });
      expect(error.exitCode).toBe(77);
      expectNoSecretIn([error, error.message, error.toJSON()], [VALUE]);
    }
  });

  it('refuses a file readable by its group (0640) and accepts 0400', async () => {
    const dir = await freshDir();
    const path = await secretFile(dir, NAME, VALUE, 0o640);
    const error = await failure(readSecret(NAME, only({ directories: [dir] })));
    expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
    expect(error.message).toContain('its group');
    expect(error.message).toContain(`chmod 600 ${path}`);
    await chmod(path, 0o400);
    expect((await readSecret(NAME, only({ directories: [dir] }))).reveal()).toBe(VALUE);
  });

  it('quotes a path with spaces in the chmod it suggests', async () => {
    const dir = join(await freshDir(), "my secrets'");
    await mkdir(dir);
    const path = await secretFile(dir, NAME, VALUE, 0o604);
    const error = await failure(readSecret(NAME, only({ directories: [dir] })));
    expect(error.message).toContain(`chmod 600 '${path.replace(/'/g, `'\\''`)}'`);
  });

  it('refuses an insecure file rather than falling through to a later source', async () => {
    const insecure = await freshDir();
    await secretFile(insecure, NAME, 'insecure', 0o644);
    const secure = await freshDir();
    await secretFile(secure, NAME, 'secure');
    const error = await failure(readSecret(NAME, only({ directories: [insecure, secure] })));
    expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
  });

  it('refuses a file owned by another user, naming the chown that fixes it', async (context) => {
    requireRoot(context);
    const dir = await freshDir();
    const path = await secretFile(dir, NAME, VALUE, 0o600);
    await chown(path, 1234, 1234);
    for (const permissions of ['strict', 'container-aware'] as const) {
      const error = await failure(readSecret(NAME, only({ directories: [dir], permissions })));
      expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
      expect(error.message).toContain('uid 1234');
      expect(error.message).toContain(`chown ${process.getuid?.()} ${path}`);
      expect(error.details).toMatchObject({ path, uid: 1234 });
      expectNoSecretIn([error, error.toJSON()], [VALUE]);
    }
  });

  it("accepts a Kubernetes secret volume (0644 behind ..data) by default and refuses it under 'strict'", async () => {
    const volume = await kubernetesVolume({ [NAME]: `${VALUE}\n`, other: 'x' });
    expect((await readSecret(NAME, only({ directories: [volume] }))).reveal()).toBe(VALUE);
    const options = only({ directories: [volume], permissions: 'container-aware' });
    expect((await readSecret(NAME, options)).reveal()).toBe(VALUE);

    const error = await failure(readSecret(NAME, only({ directories: [volume], permissions: 'strict' })));
    expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
    expect(error.message).toContain(join(volume, NAME));
    expectNoSecretIn([error, error.toJSON()], [VALUE]);
  });

  it('accepts a Kubernetes volume owned by root when the process runs as another user', async (context) => {
    requireRoot(context);
    // Seen from the process's side: the files belong to someone else, as they do in a pod.
    const volume = await kubernetesVolume({ [NAME]: VALUE });
    await chown(join(volume, '..2024_01_01_00_00_00.000', NAME), 1234, 1234);
    expect((await readSecret(NAME, only({ directories: [volume] }))).reveal()).toBe(VALUE);
  });

  it('refuses a group- or world-writable file even in a Kubernetes volume', async () => {
    for (const mode of [0o666, 0o664, 0o646]) {
      const volume = await kubernetesVolume({ [NAME]: VALUE }, mode);
      const error = await failure(readSecret(NAME, only({ directories: [volume] })));
      expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS'), mode.toString(8)).toBe(true);
      expect(error.message).toContain('chmod 600');
    }
  });

  it('refuses a 0644 file beside ..data that does not point into it', async () => {
    const volume = await kubernetesVolume({ other: 'x' });
    const elsewhere = await secretFile(await freshDir(), 'planted', VALUE, 0o644);
    await symlink(elsewhere, join(volume, NAME));
    const error = await failure(readSecret(NAME, only({ directories: [volume] })));
    expect(hasCode(error, 'SRE_SECRET_INSECURE_PERMISSIONS')).toBe(true);
  });

  it("reads an insecure file under 'warn' and logs a warning that says it is unsafe", async () => {
    const dir = await freshDir();
    const path = await secretFile(dir, NAME, VALUE, 0o644);
    const logger = recordingLogger();
    const secret = await readSecret(NAME, only({ directories: [dir], permissions: 'warn', logger }));
    expect(secret.reveal()).toBe(VALUE);
    expect(logger.calls).toHaveLength(1);
    const [call] = logger.calls;
    expect(call?.level).toBe('warn');
    expect(call?.message).toMatch(/unsafe/);
    expect(call?.message).toContain(path);
    expect(call?.object).toEqual({ path });
    expectNoSecretIn([logger.calls], [VALUE]);

    // A secure file under 'warn' logs nothing.
    await chmod(path, 0o600);
    const quiet = recordingLogger();
    await readSecret(NAME, only({ directories: [dir], permissions: 'warn', logger: quiet }));
    expect(quiet.calls).toEqual([]);
  });
});

describe('readSecret() when the secret is missing', () => {
  it('names every place it looked at', async () => {
    const credentials = await freshDir();
    const first = await freshDir();
    const second = await freshDir();
    const error = await failure(
      readSecret(NAME, {
        env: { CREDENTIALS_DIRECTORY: credentials, OTHER: VALUE },
        directories: [first, second],
      }),
    );
    expect(hasCode(error, 'SRE_SECRET_NOT_FOUND')).toBe(true);
    expect(error.exitCode).toBe(78); // EX_CONFIG: the secret was not provided
    const places = [
      `environment variable ${NAME}`,
      `environment variable ${NAME}_FILE`,
      join(credentials, NAME),
      join(first, NAME),
      join(first, NAME.toLowerCase()),
      join(second, NAME),
      join(second, NAME.toLowerCase()),
    ];
    for (const place of places) expect(error.message).toContain(place);
    expect(error.details.lookedAt).toHaveLength(places.length);
    expect(error.details.name).toBe(NAME);
    expectNoSecretIn([error, error.toJSON()], [VALUE]);
  });

  it('reports a NAME_FILE that names a missing file instead of looking elsewhere', async () => {
    const directory = await freshDir();
    await secretFile(directory, NAME, VALUE);
    const missingFile = join(directory, 'not-there');
    const error = await failure(
      readSecret(NAME, { env: { [`${NAME}_FILE`]: missingFile }, directories: [directory] }),
    );
    expect(hasCode(error, 'SRE_SECRET_NOT_FOUND')).toBe(true);
    expect(error.message).toBe(`${NAME}_FILE names ${missingFile}, which does not exist or is empty`);
  });

  it('says when NAME_FILE and $CREDENTIALS_DIRECTORY are not set', async () => {
    const error = await failure(readSecret(NAME, only()));
    expect(error.message).toContain(`environment variable ${NAME}_FILE`);
    expect(error.message).toContain('$CREDENTIALS_DIRECTORY (not set)');
  });

  it('returns undefined with required: false', async () => {
    const directory = await freshDir();
    expect(await readSecret(NAME, only({ directories: [directory], required: false }))).toBeUndefined();
    const found = await readSecret(NAME, only({ env: { [NAME]: VALUE }, required: false }));
    expect(found?.reveal()).toBe(VALUE);
  });
});
