// Benchmark of sre-kit/remote (issue 8): collect() against parallel-ssh, pdsh, ClusterShell,
// Ansible (raw), the textbook paramiko script and a bare ssh2 loop (the floor), side by side
// in one run, on a fleet of real OpenSSH sshd processes on 127.0.0.2 … 127.0.0.(N+1): first
// with MaxStartups raised, then with sshd's default MaxStartups (10:30:100).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { interleave } from './lib/interleave.js';
import { describeMachine } from './lib/machine.js';
import { isQuick, pick } from './lib/mode.js';
import { formatMs } from './lib/table.js';
import { writeClientFiles } from './remote/client-files.js';
import { CONTENDERS, type ContenderName } from './remote/contenders.js';
import { COMMAND } from './remote/expected.js';
import { type Fleet, type FleetAccess, startFleet, writeFleetKeys } from './remote/fleet.js';
import { goals } from './remote/goals.js';
import { marginalCpuTable, maxStartupsTable, type Results, resultTable } from './remote/report.js';
import { killRunning } from './remote/timed.js';
import { toolVersions } from './remote/versions.js';

const SIZES = pick([50, 200], [20, 50]);
const MAX = Math.max(...SIZES);
const FANOUT = 50;
const ROUNDS = pick(3, 1);
const PORT = 22;
const RAISED = '1000:30:1000';
/** Per run of one contender; past it the tool is killed and its row says so. */
const TIMEOUT_MS = pick(180_000, 90_000);
const REAP_MS = 500;

const dir = mkdtempSync(join(tmpdir(), 'sre-kit-bench-remote-'));
let fleet: Fleet | undefined;
async function cleanUp() {
  killRunning();
  await fleet?.stop();
  fleet = undefined;
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench remote: ${signal}, stopping the fleet\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}
// The last resort (an uncaught error that skips the finally below): no sshd outlives the bench.
process.once('exit', () => {
  fleet?.killNow();
  rmSync(dir, { recursive: true, force: true });
});

const names = Object.keys(CONTENDERS) as ContenderName[];
const subset = (access: FleetAccess, hosts: number) => ({
  ...access,
  addresses: access.addresses.slice(0, hosts),
});

/** Every contender against the first `hosts` addresses of the running fleet, in interleaved rounds. */
async function measureAll(label: string, access: FleetAccess, hosts: number): Promise<Results> {
  const files = writeClientFiles(join(dir, `clients-${hosts}`), subset(access, hosts));
  return interleave(names, ROUNDS, async (name, round) => {
    process.stderr.write(`  ${label}, N=${hosts}, round ${round + 1}/${ROUNDS}: ${name}\n`);
    const [drops, serverCpu] = [fleet!.drops(), fleet!.serverCpuMs()];
    const context = { access: subset(access, hosts), files, fanout: FANOUT, timeoutMs: TIMEOUT_MS };
    const outcome = await CONTENDERS[name].measure(context);
    // sshd counts a connection's CPU once it has reaped its process, just after the close.
    await setTimeout(REAP_MS);
    return { ...outcome, drops: fleet!.drops() - drops, serverCpuMs: fleet!.serverCpuMs() - serverCpu };
  });
}

const started = performance.now();
try {
  console.log(`## remote: collect\n\n${describeMachine(isQuick())}\n`);
  const access = writeFleetKeys(dir, MAX, PORT);
  fleet = await startFleet(dir, access, RAISED);
  console.log(
    [
      `Fleet: ${MAX} hosts, 127.0.0.2 … 127.0.0.${MAX + 1} port ${PORT}, ${Math.ceil(MAX / 16)} OpenSSH sshd processes (16 addresses each) on this machine, one ed25519 host key, root with an ed25519 user key.`,
      `Command: \`${COMMAND}\`; a host counts as ok when its stdout is the load line and the MemTotal line. Fanout ${FANOUT} for every tool but the textbook script (10 threads).`,
      `Tools: ${toolVersions()}.`,
      'The OpenSSH-based tools read an `ssh -F` file of the bench (its key, its known_hosts, StrictHostKeyChecking yes, BatchMode yes, no agent, ControlMaster no) and HOME is an empty temp dir. sre-kit checks host keys against the same known_hosts (strict); the bare ssh2 loop checks none; paramiko loads it and auto-adds unknown keys.',
      `Wall: the whole run. Client CPU: user + system of the tool and its children (GNU time); for the two Node rows, the collecting call alone, inside a fresh Node process (start-up excluded, see below). Median of ${ROUNDS} interleaved round(s), order rotating.`,
      '',
    ].join('\n'),
  );
  const raised: Results[] = [];
  for (const hosts of SIZES) {
    const results = await measureAll(`MaxStartups ${RAISED}`, access, hosts);
    raised.push(results);
    console.log(`### N = ${hosts}, MaxStartups ${RAISED}\n\n${resultTable(results, hosts)}\n`);
  }
  const [small, big] = [raised[0]!, raised.at(-1)!];
  console.log(
    `### client CPU per extra host (start-up costs cancel out)\n\n${marginalCpuTable(small, big, SIZES[0]!, MAX)}\n`,
  );
  const startup = ['sre-kit collect', 'bare ssh2 loop'].map((name) => {
    const outcomes = big.get(name as ContenderName)?.outcomes ?? [];
    const extra = outcomes.map((outcome) => (outcome.processCpuMs ?? 0) - outcome.cpuMs);
    return `${name} ${formatMs(Math.min(...extra))}`;
  });
  console.log(
    `Node rows: CPU of the worker process outside the call (Node, tsx, imports): ${startup.join(', ')}.\n`,
  );

  await fleet.stop();
  fleet = await startFleet(dir, access);
  const defaults = await measureAll('default MaxStartups', access, MAX);
  console.log(
    `### N = ${MAX}, sshd's default MaxStartups (10:30:100)\n\n${maxStartupsTable(defaults, MAX)}\n`,
  );
  console.log(
    'sshd drops a connection past MaxStartups by closing it before the SSH banner; sre-kit retries those (connect phase only), the others report such a host as failed (pssh [FAILURE], pdsh/clush an ssh exit 255 line on stderr, Ansible UNREACHABLE, the textbook script an exception on stderr). A tool that never had more than 10 handshakes pending at once on one sshd saw no drops (0 in the last column).\n',
  );
  console.log(`${goals(big, defaults, MAX, { results: small, hosts: SIZES[0]! })}\n`);
  console.log(
    "ssh2 (and so sre-kit) does not offer OpenSSH's post-quantum key exchange (sntrup761x25519-sha512, OpenSSH's default since 9.0): it negotiates curve25519-sha256. The `pssh, curve25519` row is pssh on that same key exchange.\n",
  );
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(`(${formatMs(performance.now() - started)} in all; load at the end ${load})`);
} finally {
  await cleanUp();
}
