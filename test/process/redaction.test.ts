import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSreError } from '../../src/errors/index.js';
import type { Logger } from '../../src/internal/logger.js';
import { cmd, run } from '../../src/process/index.js';
import { Secret } from '../../src/secrets/index.js';

const SECRET = "s3cr'et pa$$ word/+=";

function recordingLogger(): Logger & { calls: unknown[] } {
  const calls: unknown[] = [];
  const record = (level: string) => (object: Record<string, unknown>, message?: string) =>
    calls.push([level, object, message]);
  return {
    calls,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** Every form a failure can be seen in: message, toJSON, inspect, logger calls. */
async function everythingShown(work: (logger: Logger) => Promise<unknown>): Promise<string> {
  const logger = recordingLogger();
  let error: unknown;
  try {
    await work(logger);
  } catch (caught) {
    error = caught;
  }
  expect(isSreError(error)).toBe(true);
  const shown = [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    JSON.stringify(logger.calls),
  ].join('\n');
  expect(shown).toContain('[REDACTED]');
  return shown;
}

const forms = [
  SECRET,
  encodeURIComponent(SECRET),
  Buffer.from(SECRET).toString('base64'),
  SECRET.replace(/'/g, `'\\''`),
];

function expectNoSecret(shown: string): void {
  for (const form of forms) expect(shown).not.toContain(form);
}

describe('redaction of what a run shows', () => {
  it('masks a secret given in args, as --password=x, -p x and URL userinfo, and in stderr', async () => {
    const url = `https://admin:${encodeURIComponent(SECRET)}@db.internal:5432/app`;
    const shown = await everythingShown((logger) =>
      run(
        'bash',
        ['-c', 'echo "login failed for $1 $3" >&2; exit 1', 'x', `--password=${SECRET}`, '-p', SECRET, url],
        {
          redact: [SECRET],
          logger,
        },
      ),
    );
    expectNoSecret(shown);
    expect(shown).toContain('--password=[REDACTED]');
  });

  it('masks Secrets interpolated into cmd`` and passed in env, without being told', async () => {
    const secret = new Secret(SECRET);
    const shown = await everythingShown((logger) =>
      run(cmd`bash -c ${'echo "token=$API_TOKEN arg=$1" >&2; exit 2'} x ${secret}`, {
        env: { API_TOKEN: secret },
        logger,
      }),
    );
    expectNoSecret(shown);
    expect(shown).toContain('token=[REDACTED] arg=[REDACTED]');
  });

  it('masks passwords in URLs even when the value was not named', async () => {
    const error = await run('false', ['https://deploy:hunter22@git.internal/repo.git']).catch((e) => e);
    expect(error.message).toContain('https://deploy:[REDACTED]@git.internal/repo.git');
    expect(JSON.stringify(error)).not.toContain('hunter22');
  });

  it('masks the command in a successful result and in debug logs', async () => {
    const logger = recordingLogger();
    const result = await run('echo', [`--token=${SECRET}`], { redact: [SECRET], logger });
    expect(result.command).toBe("echo '--token=[REDACTED]'");
    expect(result.stdout).toBe(`--token=${SECRET}`); // the output itself is the caller's data
    expect(JSON.stringify(logger.calls)).not.toContain(SECRET);
    expect(logger.calls.length).toBe(2);
  });
});
