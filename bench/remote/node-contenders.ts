// The two contenders that run inside Node: sre-kit's collect, and the floor, a bare ssh2 loop.
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { collect } from 'sre-kit/remote';
import ssh2 from 'ssh2';
import { COMMAND, isExpected } from './expected.js';
import type { FleetAccess } from './fleet.js';

/** One run of an in-process contender: the hosts whose stdout was the expected one. */
export type NodeRun = (access: FleetAccess, fanout: number) => Promise<Set<string>>;

/** sre-kit collect as a user would call it: host keys checked (strict), default retries. */
export const sreKitCollect: NodeRun = async (access, fanout) => {
  const results = await collect(
    access.addresses.map((host) => ({ host, port: access.port })),
    {
      commands: { probe: COMMAND },
      concurrency: fanout,
      user: access.user,
      privateKeys: [access.keyPath],
      agent: false,
      knownHostsPath: access.knownHostsPath,
    },
  );
  // collect removes one final newline; isExpected trims anyway.
  return new Set(
    results
      .filter((result) => result.ok && isExpected(result.commands.probe?.stdout ?? ''))
      .map((result) => result.host),
  );
};

/**
 * The floor: per host connect, exec, read stdout, end, with p-limit; no host key check (ssh2
 * accepts any key unless told otherwise), no retries, no timeouts beyond ssh2's own.
 */
export const bareSsh2Loop: NodeRun = async (access, fanout) => {
  const privateKey = readFileSync(access.keyPath);
  const limit = pLimit(fanout);
  const ok = new Set<string>();
  const one = (host: string) =>
    new Promise<void>((resolve) => {
      const client = new ssh2.Client();
      let stdout = '';
      client
        .on('ready', () => {
          client.exec(COMMAND, (error, channel) => {
            if (error) return client.end();
            channel.setEncoding('utf8');
            channel.on('data', (text: string) => {
              stdout += text;
            });
            channel.stderr.resume();
            channel.on('close', () => {
              if (isExpected(stdout)) ok.add(host);
              client.end();
            });
          });
        })
        .on('error', () => {})
        .on('close', () => resolve())
        .connect({ host, port: access.port, username: access.user, privateKey });
    });
  await Promise.all(access.addresses.map((host) => limit(() => one(host))));
  return ok;
};

export const NODE_RUNS = { 'sre-kit collect': sreKitCollect, 'bare ssh2 loop': bareSsh2Loop } as const;
export type NodeContender = keyof typeof NODE_RUNS;
