import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/internal/logger.js';
import { collect } from '../../src/remote/collect.js';
import { type Sshd, sshdTestsEnabled, startSshd } from '../helpers/sshd.js';

/*
 * sshd's default MaxStartups (10:30:100) drops connections at random once more than 10 are
 * unauthenticated at a time: 30% of them at 10, rising to all at 100. A fan-out at
 * concurrency 50 against one such sshd is exactly that. Each dropped connection is logged by
 * sshd ("drop connection #N … past MaxStartups", LogLevel VERBOSE) and seen by the client as
 * a connection closed before the handshake (SRE_REMOTE_HANDSHAKE, retryable).
 */

const HOSTS = 50;
const enabled = sshdTestsEnabled();

describe.skipIf(!enabled)("sshd's default MaxStartups at concurrency 50", () => {
  let sshd: Sshd;
  let knownHostsPath: string;
  // 50 "hosts" that are all this one default-configured sshd.
  const hosts = () =>
    Array.from({ length: HOSTS }, (_, index) => ({ name: `h${index}`, host: '127.0.0.1', port: sshd.port }));

  beforeAll(async () => {
    sshd = await startSshd({ defaultMaxStartups: true });
    knownHostsPath = join(sshd.dir, 'known_hosts');
    writeFileSync(knownHostsPath, `${sshd.knownHostsLines().join('\n')}\n`);
  });
  afterAll(() => sshd?.stop());

  /** Runs the fan-out; returns the results, the failed connection attempts (code of each) and sshd's drops. */
  async function fanOut(retries: number | undefined) {
    const failedAttempts: Array<{ host: unknown; code: unknown; retried: boolean }> = [];
    const record = (retried: boolean) => (object: Record<string, unknown>, message?: string) => {
      if (message?.startsWith('connect attempt failed')) {
        failedAttempts.push({ host: object.host, code: object.code, retried });
      }
    };
    const logger: Logger = { debug: record(false), info() {}, warn: record(true), error() {} };
    const start = sshd.log().length;
    const results = await collect(hosts(), {
      knownHostsPath,
      privateKeys: [sshd.userKey.path],
      agent: false,
      concurrency: 50,
      commands: { ok: 'true' },
      logger,
      ...(retries === undefined ? {} : { retries }),
    });
    const drops =
      sshd
        .log()
        .slice(start)
        .match(/past MaxStartups/g)?.length ?? 0;
    return { results, failedAttempts, drops };
  }

  it('without retries, sshd drops some of the 50 and they fail with SRE_REMOTE_HANDSHAKE', async () => {
    const { results, failedAttempts, drops } = await fanOut(0);
    const failed = results.filter((result) => !result.ok);
    expect(drops).toBeGreaterThan(0);
    // Every failure is a connection sshd dropped, and reported as such.
    expect(failed).toHaveLength(drops);
    expect(new Set(failed.map((result) => result.error?.code))).toEqual(new Set(['SRE_REMOTE_HANDSHAKE']));
    expect(failedAttempts).toHaveLength(drops);
    expect(results).toHaveLength(HOSTS);
  });

  it('with the default retries, all 50 succeed: each drop was retried, after backoff, on SRE_REMOTE_HANDSHAKE', async () => {
    const { results, failedAttempts, drops } = await fanOut(undefined);
    expect(results.map((result) => result.error)).toEqual(Array(HOSTS).fill(undefined));
    expect(results.every((result) => result.ok && result.commands.ok?.exitCode === 0)).toBe(true);
    // sshd did drop connections this time too, and every dropped attempt was one that was retried.
    expect(drops).toBeGreaterThan(0);
    expect(failedAttempts).toHaveLength(drops);
    expect(
      failedAttempts.every((attempt) => attempt.retried && attempt.code === 'SRE_REMOTE_HANDSHAKE'),
    ).toBe(true);
  });
});
