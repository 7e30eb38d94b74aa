/** Tour step: examples/endpoint-monitor.ts for two cycles against a local server with fast, slow and broken endpoints. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEndpointsServer } from '../fixtures/endpoints-server.js';
import { example, runExample, say, show, step, type TourContext } from './tour.js';

export async function endpointMonitorStep(context: TourContext): Promise<void> {
  step('script: endpoint-monitor, two cycles against a local server with slow and broken endpoints');
  const server = await startEndpointsServer();
  try {
    // The fixture's endpoints file names port 8701; the server of the tour got a free port.
    const endpoints = join(context.dir, 'endpoints.yaml');
    const text = await readFile(example('fixtures/endpoints.yaml'), 'utf8');
    await writeFile(endpoints, text.replaceAll('127.0.0.1:8701', new URL(server.url).host));
    const result = await runExample(
      'endpoint-monitor.ts',
      [endpoints, '--interval', '2s', '--cycles', '2'],
      context,
    );
    say('$ endpoint-monitor endpoints.yaml --interval 2s --cycles 2   (a cycle never outlasts its interval)');
    // The last cycle and the final report: the first cycle looks the same.
    const lines = result.stdout.split('\n');
    show({
      stdout: lines.slice(lines.findIndex((line) => line.startsWith('cycle 2'))).join('\n'),
      stderr: result.stderr,
    });
  } finally {
    await server.close();
  }
}
