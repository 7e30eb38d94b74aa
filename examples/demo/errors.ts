/** Tour step: errors with stable codes, causes and exit codes that survive a JSON round trip. */
import { formatError, SreError } from 'sre-kit/errors';
import { say, step } from './tour.js';

export async function errorsStep(): Promise<void> {
  step('errors: stable codes, causes, exit codes');
  const cause = Object.assign(new Error('EACCES: permission denied, open /etc/app.json'), { code: 'EACCES' });
  const error = new SreError('SRE_CONFIG_INVALID', 'Cannot load the app config', {
    cause,
    details: { path: '/etc/app.json' },
  });
  say(`formatError(error)  -> ${formatError(error)}`);
  say(`error.exitCode      -> ${error.exitCode} (sysexits EX_CONFIG), retryable: ${error.retryable}`);
  const copy = SreError.fromJSON(JSON.parse(JSON.stringify(error)));
  say(`after a JSON round trip: ${formatError(copy)}`);
}
