/**
 * The tour: each block of sre-kit doing its job on local, embedded defaults (temp files,
 * local processes, an SSH fleet and HTTP services on 127.0.0.1), then two of the scenario
 * scripts against their local stand-ins. `npm run demo` runs it; nothing outside this machine
 * is touched, and everything it starts is stopped and removed before it ends. One file per
 * step in examples/demo/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from 'sre-kit/errors';
import { endpointMonitorStep } from './demo/endpoint-monitor.js';
import { errorsStep } from './demo/errors.js';
import { fsStep } from './demo/fs.js';
import { logsStep } from './demo/logs.js';
import { processStep } from './demo/process.js';
import { remoteStep } from './demo/remote.js';
import { secretsStep } from './demo/secrets.js';
import { serviceHealthStep } from './demo/service-health.js';
import type { TourContext } from './demo/tour.js';
import { watchStep } from './demo/watch.js';

const STEPS: ReadonlyArray<(context: TourContext) => Promise<void>> = [
  errorsStep,
  processStep,
  fsStep,
  watchStep,
  logsStep,
  remoteStep,
  secretsStep,
  serviceHealthStep,
  endpointMonitorStep,
];

await main(async ({ signal }) => {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'sre-kit-demo-'));
  try {
    console.log('sre-kit tour: each block on local data, nothing leaves this machine.');
    for (const runStep of STEPS) await runStep({ signal, dir });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `\nDone in ${seconds} s. Copy a script from examples/ to start your own; API docs: npm run docs.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
