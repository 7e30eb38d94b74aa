// Entry point of one isolated measurement: `worker.ts '<job as JSON>'`, started by
// runIsolated() from watch.bench.ts.
import { reportResult } from '../lib/isolate.js';
import { type Job, runJob } from './jobs.js';

const job = JSON.parse(process.argv[2] ?? '') as Job;
reportResult(await runJob(job));
