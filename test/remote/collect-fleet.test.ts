import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, collectStream } from '../../src/remote/collect.js';
import type { CollectOptions } from '../../src/remote/collect-options.js';
import type { HostResult } from '../../src/remote/types.js';
import { Secret } from '../../src/secrets/secret.js';
import { type Fault, type Fleet, innerCommand, startFleet } from '../helpers/fleet.js';
import { openFdCount, waitUntil } from '../helpers/processes.js';

const work = mkdtempSync(join(tmpdir(), 'sre-kit-fleet-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Sockets this process holds (clients and servers' accepted sockets alike). */
const openSockets = () =>
  (process as unknown as { _getActiveHandles(): unknown[] })
    ._getActiveHandles()
    .filter((handle) => handle instanceof Socket).length;

/** A shuffle that is the same on every run (mulberry32). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = [...items];
  for (let index = out.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

function optionsFor(fleet: Fleet, name: string, extra: CollectOptions = {}): CollectOptions {
  const knownHostsPath = join(work, `${name}_known_hosts`);
  writeFileSync(knownHostsPath, fleet.knownHosts);
  return { knownHostsPath, privateKeys: [new Secret(fleet.userKey)], agent: false, ...extra };
}

/** Counts of each value. */
function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe('a fleet of 300 in-process hosts with injected faults', () => {
  const EXPECTED: Record<Exclude<Fault, 'slow' | 'freeze'>, string | undefined> = {
    ok: undefined,
    refuse: 'SRE_REMOTE_CONNECT',
    'hang-handshake': 'SRE_REMOTE_HANDSHAKE',
    'hang-command': 'SRE_REMOTE_COMMAND_TIMEOUT',
    'wrong-host-key': 'SRE_REMOTE_HOST_KEY_CHANGED',
    'reject-auth': 'SRE_REMOTE_AUTH',
  };
  const faults = shuffled(
    [
      ...Array<Fault>(30).fill('refuse'),
      ...Array<Fault>(15).fill('hang-handshake'),
      ...Array<Fault>(15).fill('hang-command'),
      ...Array<Fault>(15).fill('wrong-host-key'),
      ...Array<Fault>(15).fill('reject-auth'),
      ...Array<Fault>(210).fill('ok'),
    ],
    8,
  );
  const connectTimeoutMs = 2000;
  const commandTimeoutMs = 2000;
  const retry = { retries: 1, minDelayMs: 100, maxDelayMs: 200, factor: 2 };
  const concurrency = 50;
  // The longest each kind of host can take: its attempts, the waits between them
  // (randomised up to twice the delay), its command, and closing (at most a second).
  const maxDelayTotal = retry.retries * 2 * retry.maxDelayMs;
  const worst: Record<Exclude<Fault, 'slow' | 'freeze'>, number> = {
    ok: connectTimeoutMs + commandTimeoutMs + 1000,
    refuse: (retry.retries + 1) * connectTimeoutMs + maxDelayTotal,
    'hang-handshake': (retry.retries + 1) * connectTimeoutMs + maxDelayTotal,
    'hang-command': connectTimeoutMs + commandTimeoutMs + 1000,
    'wrong-host-key': connectTimeoutMs,
    'reject-auth': connectTimeoutMs,
  };
  // A pool of `concurrency` slots finishes within (total work / slots) + the longest host.
  const boundMs =
    faults.reduce((sum, fault) => sum + worst[fault as keyof typeof worst], 0) / concurrency +
    Math.max(...Object.values(worst));

  it('reports every host exactly once with the right code, retries only what may be retried, ends in time, leaves nothing open', {
    timeout: boundMs + 30_000,
  }, async () => {
    const fleet = await startFleet(faults);
    try {
      const options = optionsFor(fleet, 'faults', {
        concurrency,
        connectTimeoutMs,
        commandTimeoutMs,
        retries: retry,
        commands: { name: 'hostname' },
      });
      const fds = openFdCount();
      const sockets = openSockets();
      const started = performance.now();
      const results = await collect(fleet.hosts, options);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(boundMs);

      // Every host once, in input order, with the code its fault calls for.
      expect(results.map((result) => result.host)).toEqual(fleet.hosts.map((host) => host.name));
      const byFault = (fault: Fault) => results.filter((_, index) => faults[index] === fault);
      for (const [fault, code] of Object.entries(EXPECTED)) {
        const codes = byFault(fault as Fault).map((result) => result.error?.code ?? 'ok');
        expect({ fault, codes: tally(codes) }).toEqual({ fault, codes: { [code ?? 'ok']: codes.length } });
      }
      expect(tally(faults)).toEqual({
        refuse: 30,
        'hang-handshake': 15,
        'hang-command': 15,
        'wrong-host-key': 15,
        'reject-auth': 15,
        ok: 210,
      });
      for (const [index, result] of results.entries()) {
        if (faults[index] === 'ok') expect(result.commands.name?.stdout).toBe(fleet.hosts[index]!.name);
        expect(result.ok).toBe(faults[index] === 'ok');
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      }

      // Retried: connection attempts that failed on the way. Never: a refused key, a
      // rejected login, or a command that had started.
      for (const [index, host] of fleet.hosts.entries()) {
        const expected =
          faults[index] === 'refuse' ? 0 : faults[index] === 'hang-handshake' ? retry.retries + 1 : 1;
        expect({ host: host.name, connections: fleet.connections(host.name) }).toEqual({
          host: host.name,
          connections: expected,
        });
      }
      // Every command went out as `env LC_ALL=C sh -c …` and the hung ones were stopped.
      expect(fleet.commandLines).toHaveLength(225);
      expect(fleet.commandLines.every((line) => innerCommand(line) === 'hostname')).toBe(true);
      expect(await waitUntil(() => fleet.stoppedCommands() === 15, 5000)).toBe(true);

      // Nothing left open: no connection on the hosts' side, no socket or fd on ours.
      expect(await waitUntil(() => fleet.openConnections() === 0, 5000)).toBe(true);
      expect(await waitUntil(() => openSockets() <= sockets && openFdCount() <= fds, 5000)).toBe(true);
    } finally {
      await fleet.close();
    }
  });
});

describe('stopping a run', () => {
  it('abort mid-run: the results so far are returned, the rest reported as aborted, every connection closed', {
    timeout: 60_000,
  }, async () => {
    // 20 hosts that answer, then 40 whose command never ends: with 10 at a time, the run
    // reaches a state where the 20 are done and 10 commands hang. The abort comes then.
    const faults = [...Array<Fault>(20).fill('ok'), ...Array<Fault>(40).fill('hang-command')];
    const fleet = await startFleet(faults);
    try {
      const controller = new AbortController();
      const seenBeforeAbort: HostResult[] = [];
      const options = optionsFor(fleet, 'abort', {
        concurrency: 10,
        signal: controller.signal,
        commandTimeoutMs: 600_000,
        commands: { name: 'hostname' },
        onProgress: ({ result }) => {
          if (!controller.signal.aborted) seenBeforeAbort.push(result);
        },
      });
      const fds = openFdCount();
      const running = collect(fleet.hosts, options);
      expect(await waitUntil(() => fleet.commandLines.length === 30, 20_000)).toBe(true);
      controller.abort(new Error('operator pressed ^C'));
      // A run that ignored the abort would wait for its 600 s command timeout: the test's own
      // timeout catches that, no timing threshold here.
      const results = await running;

      expect(results.map((result) => result.host)).toEqual(fleet.hosts.map((host) => host.name));
      expect(seenBeforeAbort).toHaveLength(20);
      for (const result of seenBeforeAbort) expect(results).toContainEqual(result);
      expect(results.slice(0, 20).every((result) => result.ok)).toBe(true);
      const rest = results.slice(20);
      expect(rest.map((result) => result.error?.code)).toEqual(Array(40).fill('SRE_ABORTED'));
      // Ten were stopped in their command (the hosts saw their channels closed); the other
      // thirty were never contacted. The hosts may have received an exec whose start the client
      // had not seen yet when the abort came, so at most ten results carry the command.
      const stoppedInCommand = rest.filter((result) => result.commands.name !== undefined);
      expect(stoppedInCommand.length).toBeLessThanOrEqual(10);
      expect(stoppedInCommand.every((result) => result.commands.name?.exitCode === null)).toBe(true);
      expect(await waitUntil(() => fleet.stoppedCommands() === 10, 5000)).toBe(true);
      expect(fleet.contacted().size).toBe(30);
      for (const result of rest) expect(result.error?.message).toMatch(/^Aborted/);
      expect(await waitUntil(() => fleet.openConnections() === 0, 5000)).toBe(true);
      expect(await waitUntil(() => openFdCount() <= fds, 5000)).toBe(true);
    } finally {
      await fleet.close();
    }
  });

  it('a host that goes silent mid-command is noticed by keepalive, long before commandTimeoutMs', {
    timeout: 30_000,
  }, async () => {
    const fleet = await startFleet(['freeze', 'ok']);
    try {
      const started = performance.now();
      const [frozen, fine] = await collect(
        fleet.hosts,
        optionsFor(fleet, 'freeze', {
          keepaliveIntervalMs: 200,
          commandTimeoutMs: 120_000,
          commands: { n: 'x' },
        }),
      );
      expect(frozen?.error?.code).toBe('SRE_REMOTE_CONNECT');
      expect(frozen?.error?.message).toMatch(/lost: Keepalive timeout/);
      expect(frozen?.commands.n?.exitCode).toBeNull();
      expect(fine?.ok).toBe(true);
      // Three unanswered keepalives 200 ms apart, plus closing: nowhere near two minutes.
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await fleet.close();
    }
  });

  it('an onProgress that throws stops the run, closes the connections, and is what collect rejects with', async () => {
    const fleet = await startFleet([...Array<Fault>(3).fill('ok'), ...Array<Fault>(5).fill('hang-command')]);
    try {
      const failure = new Error('progress bar broke');
      const options = optionsFor(fleet, 'throwing', {
        concurrency: 8,
        commands: { n: 'x' },
        onProgress: () => {
          throw failure;
        },
      });
      await expect(collect(fleet.hosts, options)).rejects.toBe(failure);
      expect(await waitUntil(() => fleet.openConnections() === 0, 5000)).toBe(true);
    } finally {
      await fleet.close();
    }
  });

  it('an already aborted signal contacts no host and reports every one as aborted', async () => {
    const fleet = await startFleet(Array<Fault>(5).fill('ok'));
    try {
      const results = await collect(fleet.hosts, optionsFor(fleet, 'pre', { signal: AbortSignal.abort() }));
      expect(results.map((result) => result.error?.code)).toEqual(Array(5).fill('SRE_ABORTED'));
      expect(fleet.contacted().size).toBe(0);
    } finally {
      await fleet.close();
    }
  });

  it('collectStream yields in completion order; collect returns the order of the input', async () => {
    const fleet = await startFleet(['slow', 'ok', 'ok'], { slowMs: 800 });
    try {
      const options = optionsFor(fleet, 'order', { commands: { n: 'x' } });
      const streamed: string[] = [];
      for await (const result of collectStream(fleet.hosts, options)) streamed.push(result.host);
      const names = fleet.hosts.map((host) => host.name);
      expect(streamed.at(-1)).toBe(names[0]);
      expect(new Set(streamed)).toEqual(new Set(names));
      expect((await collect(fleet.hosts, options)).map((result) => result.host)).toEqual(names);
    } finally {
      await fleet.close();
    }
  });

  it('collectStream waits for its reader (back-pressure)', {
    timeout: 30_000,
  }, async () => {
    const fleet = await startFleet(Array<Fault>(30).fill('slow'), { slowMs: 50 });
    try {
      const stream = collectStream(
        fleet.hosts,
        optionsFor(fleet, 'stream', { concurrency: 4, commands: { n: 'x' } }),
      );
      const first = await stream.next();
      const second = await stream.next();
      expect(first.done || second.done).toBe(false);
      // The reader pauses: the four slots fill up and no fifth... sixth host is started.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(fleet.contacted().size).toBeLessThanOrEqual(4 + 2);
      const rest: HostResult[] = [];
      for await (const result of stream) rest.push(result);
      const all = [first.value as HostResult, second.value as HostResult, ...rest];
      expect(all).toHaveLength(30);
      expect(new Set(all.map((result) => result.host)).size).toBe(30);
      expect(all.every((result) => result.ok)).toBe(true);
    } finally {
      await fleet.close();
    }
  });

  it('leaving a collectStream loop early stops the running hosts and closes their connections', {
    timeout: 30_000,
  }, async () => {
    const fleet = await startFleet(Array<Fault>(20).fill('hang-command'));
    try {
      const fds = openFdCount();
      const stream = collectStream(
        fleet.hosts,
        optionsFor(fleet, 'break', { concurrency: 5, commandTimeoutMs: 300, commands: { n: 'x' } }),
      );
      let seen = 0;
      for await (const result of stream) {
        expect(result.error?.code).toBe('SRE_REMOTE_COMMAND_TIMEOUT');
        if (++seen === 3) break;
      }
      expect(fleet.contacted().size).toBeLessThanOrEqual(5 + 3);
      expect(await waitUntil(() => fleet.openConnections() === 0, 5000)).toBe(true);
      expect(await waitUntil(() => openFdCount() <= fds, 5000)).toBe(true);
    } finally {
      await fleet.close();
    }
  });
});
