/** Tour step: the on-call CLI examples/service-health.ts against a local control plane that misbehaves. */
import { startControlPlane } from '../fixtures/control-plane.js';
import { runExample, say, show, step, type TourContext } from './tour.js';

export async function serviceHealthStep(context: TourContext): Promise<void> {
  step('script: service-health, against a local control plane with slow, stuck and broken servers');
  // Two commands at once, one control plane each: its flaky server alternates 503 and 200 per
  // request, and one plane shared by both would make who gets which a race.
  const planes = await Promise.all([startControlPlane(), startControlPlane()]);
  try {
    // A short deadline per request: the stuck server costs 3 attempts of 500 ms, not minutes.
    const health = (command: string, url: string) =>
      runExample('service-health.ts', [command, '--url', url, '--timeout', '500ms'], context);
    const [services, unhealthy] = await Promise.all([
      health('services', planes[0].url),
      health('unhealthy', planes[1].url),
    ]);
    say('$ service-health services   (a server that fails is a row of its own, not a crash)');
    show(services);
    say(
      `$ service-health unhealthy  (services with fewer than two healthy instances: exit ${unhealthy.exitCode})`,
    );
    show({ stdout: unhealthy.stdout, stderr: '' });
    const warnings = unhealthy.stderr.split('\n').filter((line) => line.startsWith('warn '));
    say(`  and on stderr one warning per server without a usable answer (${warnings.length}), e.g.`);
    say(`  ${warnings[0] ?? '(none)'}`);
  } finally {
    await Promise.all(planes.map((plane) => plane.close()));
  }
}
