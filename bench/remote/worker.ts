// Entry point of one in-process measurement: `worker.ts '<job as JSON>'`, started by
// runIsolated() from remote.bench.ts, so that every contender's CPU is a process's own.
import { reportResult } from '../lib/isolate.js';
import type { FleetAccess } from './fleet.js';
import { NODE_RUNS, type NodeContender } from './node-contenders.js';

/** What the bench asks of a worker. */
export interface NodeJob {
  contender: NodeContender;
  access: FleetAccess;
  fanout: number;
}

/** What a worker measured: the call alone, and the whole process (Node and tsx start-up included). */
export interface NodeOutcome {
  wallMs: number;
  cpuMs: number;
  processCpuMs: number;
  okHosts: string[];
}

const job = JSON.parse(process.argv[2] ?? '') as NodeJob;
const cpu = process.cpuUsage();
const start = performance.now();
const ok = await NODE_RUNS[job.contender](job.access, job.fanout);
const wallMs = performance.now() - start;
const { user, system } = process.cpuUsage(cpu);
const usage = process.resourceUsage();
reportResult({
  wallMs,
  cpuMs: (user + system) / 1000,
  processCpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  okHosts: [...ok],
} satisfies NodeOutcome);
