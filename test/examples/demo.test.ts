import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

describe('npm run demo (examples/demo.ts)', () => {
  it('tours every block on local data and ends cleanly', async () => {
    const result = await runScript(tsxBin, [join(repoRoot, 'examples', 'demo.ts')]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const heading of ['== errors', '== process', '== fs', '== logs', '== secrets']) {
      expect(result.stdout).toContain(heading);
    }
    expect(result.stdout).toContain('--password=[REDACTED]');
    expect(result.stdout).toContain('api: rotated');
    expect(result.stdout).not.toContain('hunter2');
  }, 120_000);
});
