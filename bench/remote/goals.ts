import { formatMs, formatRatio } from '../lib/table.js';
import { BARE, type ContenderName } from './contenders.js';
import { allOk, cpuMs, hostsOk, type Results, wallMs } from './report.js';

const SRE_KIT: ContenderName = 'sre-kit collect';
const mark = (met: boolean) => (met ? 'met' : 'MISSED');

/** The issue's goals, each with the figure measured and whether it was met. */
export function goals(
  raised: Results,
  defaults: Results,
  hosts: number,
  smaller: { results: Results; hosts: number },
): string {
  const wall = wallMs(raised, SRE_KIT);
  const vsBare = wall / wallMs(raised, BARE);
  const faster = (name: ContenderName) => wallMs(raised, name) / wall;
  const shipped = (['pssh', 'pdsh', 'clush'] as const).map((name) => [name, faster(name)] as const);
  const curve = faster('pssh, curve25519');
  const cpuPerHost = cpuMs(raised, SRE_KIT) / hosts;
  const marginal = (cpuMs(raised, SRE_KIT) - cpuMs(smaller.results, SRE_KIT)) / (hosts - smaller.hosts);
  return [
    `Goals (issue 8), at N = ${hosts}, fanout 50:`,
    `- within 1.1x of the bare ssh2 loop: ${formatRatio(vsBare)} (${mark(vsBare <= 1.1)})`,
    `- at least 3x faster than pssh/pdsh/clush as shipped: ${shipped.map(([name, ratio]) => `${name} ${formatRatio(ratio)}`).join(', ')} (${mark(shipped.every(([, ratio]) => ratio >= 3))})`,
    `- 1.3x faster than pssh on curve25519-sha256: ${formatRatio(curve)} (${mark(curve >= 1.3)})`,
    `- at most 5 ms of client CPU per host: ${formatMs(cpuPerHost)} over the call, ${formatMs(marginal)} per extra host from N = ${smaller.hosts}; the bare ssh2 loop ${formatMs(cpuMs(raised, BARE) / hosts)} (${mark(cpuPerHost <= 5)})`,
    `- ${hosts}/${hosts} against sshd's default MaxStartups: ${hostsOk(defaults, SRE_KIT, hosts)} (${mark(allOk(defaults, SRE_KIT, hosts))})`,
  ].join('\n');
}
