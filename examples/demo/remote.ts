/** Tour step: metrics from a fleet of SSH hosts, in parallel, with host keys checked. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, type HostResult } from 'sre-kit/remote';
import { Secret } from 'sre-kit/secrets';
import { startSshFleet } from '../fixtures/ssh-fleet.js';
import { say, step, type TourContext } from './tour.js';

const GiB = 1024 ** 3;

/** One line per host: what a newcomer would look at first. */
function describeHost(result: HostResult): string {
  const { cpu, memory, disk, load, uptime, os } = result.metrics ?? {};
  // The first sentence of the message; the rest says what to do about it.
  if (!result.ok)
    return `${result.host}: FAILED ${result.error?.code}: ${result.error?.message.split(': it ')[0]}`;
  const root = disk?.find((entry) => entry.mountPoint === '/');
  return [
    `${result.host}: ok, ${os?.prettyName}`,
    `${cpu?.count} CPUs ${cpu?.percent}% busy`,
    `memory ${memory?.usedPercent}% of ${((memory?.totalBytes ?? 0) / GiB).toFixed(0)} GiB`,
    `/ ${root?.usePercent}% full`,
    `load ${load?.load1}`,
    `up ${Math.floor((uptime?.seconds ?? 0) / 86_400)} days`,
  ].join(', ');
}

export async function remoteStep({ signal, dir }: TourContext): Promise<void> {
  step('remote: metrics from an SSH fleet, in parallel, host keys checked');
  await using fleet = await startSshFleet({ hosts: 5 });
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, fleet.knownHosts);
  const options = {
    metrics: true,
    user: 'sre',
    privateKeys: [new Secret(fleet.userKey)],
    agent: false,
    knownHostsPath: knownHosts,
    hostKeyPolicy: 'strict',
    signal,
  } as const;
  const started = performance.now();
  const results = await collect(fleet.hosts, options);
  const ok = results.filter((result) => result.ok).length;
  say(
    `${ok} of ${results.length} hosts ok in ${Math.round(performance.now() - started)} ms (in-process ssh2 hosts on 127.0.0.1, one port each):`,
  );
  for (const result of results) say(`  ${describeHost(result)}`);

  // An impostor: known_hosts expects web-1 to show web-2's key. Strict checking refuses it.
  const [web1, web2] = fleet.knownHosts.split('\n');
  const forged = join(dir, 'known_hosts.forged');
  await writeFile(forged, `${web1?.split(' ')[0]} ${web2?.split(' ').slice(1).join(' ')}\n`);
  const [refused] = await collect(fleet.hosts.slice(0, 1), { ...options, knownHostsPath: forged });
  say(`a host whose key is not the one known_hosts lists is refused, never trusted:`);
  say(`  ${refused ? describeHost(refused) : 'no result'}`);
}
