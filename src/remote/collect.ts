import { normalizeCollectOptions } from './collect-normalize.js';
import type { CollectHost, CollectOptions } from './collect-options.js';
import { runHosts } from './collect-run.js';
import type { Host } from './inventory-types.js';
import type { HostResult } from './types.js';

/**
 * Runs commands and reads built-in metrics on many hosts over SSH, in parallel, and
 * resolves with one result per host, in the order of `hosts`, whatever happened to each:
 * a host that could not be reached, trusted, logged into, or whose command failed or timed
 * out has `ok: false` and an `error` with its code. Each host gets one connection that runs
 * all its commands, at most `maxSessions` at once. Host keys are checked against
 * known_hosts before anything is sent. Connection attempts that fail on the way (refused,
 * reset, dropped by sshd's MaxStartups, timed out) are retried with backoff; nothing is
 * retried once a command started. Aborting `signal` closes every connection and resolves
 * with the results so far, the other hosts reported as `SRE_ABORTED`.
 *
 * Error codes in results: `SRE_REMOTE_CONNECT` (DNS, refused, unreachable, connection
 * lost), `SRE_REMOTE_CONNECT_TIMEOUT`, `SRE_REMOTE_HANDSHAKE`, `SRE_REMOTE_AUTH`,
 * `SRE_REMOTE_HOST_KEY_UNKNOWN`, `SRE_REMOTE_HOST_KEY_CHANGED` (also a revoked key),
 * `SRE_REMOTE_COMMAND_TIMEOUT`, `SRE_REMOTE_COMMAND_FAILED` (non-zero exit),
 * `SRE_COMMAND_OUTPUT_TOO_LARGE`, `SRE_DATA_INVALID` (a metric that could not be read),
 * `SRE_ABORTED`, and `SRE_FILE_*` / `SRE_CONFIG_INVALID` for a host's own key file.
 *
 * Remote commands run as `env LC_ALL=C sh -c …` under the login shell, with stdin from
 * /dev/null; a command stopped by its timeout or an abort is killed on the host with its
 * whole process group. One final newline is removed from stdout and stderr.
 *
 * @param hosts inventory hosts (`loadInventory`), `{ host, port?, user?, … }` objects or
 *   `[user@]host[:port]` strings; names must be unique.
 * @returns one {@link HostResult} per host, in the order of `hosts`.
 * @throws `SRE_USAGE` for invalid options or hosts; `SRE_FILE_*` / `SRE_CONFIG_INVALID`
 *   for a `privateKeys` entry that cannot be read or decrypted, or an unreadable known_hosts.
 *   Nothing about a single host ever throws.
 *
 * @example
 * ```ts
 * import { writeAtomic } from 'sre-kit/fs';
 * import { collect, loadInventory, toCSV } from 'sre-kit/remote';
 *
 * const { hosts } = await loadInventory('hosts.yaml');
 * const results = await collect(hosts, {
 *   metrics: ['cpu', 'memory', 'disk'],
 *   commands: { kernel: 'uname -r' },
 *   concurrency: 50,
 * });
 * await writeAtomic('metrics.csv', toCSV(results));
 * for (const result of results) if (!result.ok) console.error(result.host, result.error?.code);
 * ```
 */
export async function collect(
  hosts: ReadonlyArray<Host | CollectHost | string>,
  options: CollectOptions = {},
): Promise<HostResult[]> {
  const normalized = normalizeCollectOptions('collect', hosts, options);
  const order = new Map(normalized.targets.map((target, index) => [target.name, index]));
  const results: HostResult[] = [];
  for await (const result of runHosts(normalized)) results.push(result);
  return results.sort((a, b) => order.get(a.host)! - order.get(b.host)!);
}

/**
 * {@link collect} as an async iterable: each host's result as soon as it is done, in
 * completion order, so results can be written as they arrive (`toNDJSON`, `toCSV`). It
 * waits for the reader: a host holds its slot until its result is read, so a slow reader
 * slows the run instead of piling up results. Leaving the loop early (`break`) aborts the
 * hosts still running and closes their connections. Options and codes as for `collect`.
 *
 * @throws `SRE_USAGE` at the call for invalid options or hosts; the iteration throws
 *   `SRE_FILE_*` / `SRE_CONFIG_INVALID` before the first result if a `privateKeys` entry or
 *   known_hosts cannot be read.
 *
 * @example
 * ```ts
 * import { writeAtomic } from 'sre-kit/fs';
 * import { collectStream, loadInventory, toNDJSON } from 'sre-kit/remote';
 *
 * const { hosts } = await loadInventory('hosts.yaml');
 * await writeAtomic('results.ndjson', toNDJSON(collectStream(hosts, { metrics: true })));
 * ```
 */
export function collectStream(
  hosts: ReadonlyArray<Host | CollectHost | string>,
  options: CollectOptions = {},
): AsyncGenerator<HostResult, void, undefined> {
  return runHosts(normalizeCollectOptions('collectStream', hosts, options));
}
