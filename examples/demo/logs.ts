/** Tour step: exact level counts over a gzipped log that mixes text and JSON lines. */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeAtomic } from 'sre-kit/fs';
import { countLevels } from 'sre-kit/logs';
import { run } from 'sre-kit/process';
import { say, step, type TourContext } from './tour.js';

export async function logsStep({ signal, dir }: TourContext): Promise<void> {
  step('logs: exact level counts over text, JSON and gzip');
  const path = join(dir, 'app.log.gz');
  const lines: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    const time = new Date(Date.UTC(2024, 2, 1) + i * 100).toISOString();
    if (i % 10 === 0)
      lines.push(`{"level":${i % 30 === 0 ? 50 : 30},"time":${Date.parse(time)},"msg":"request"}`);
    else if (i % 7 === 0) lines.push(`${time} WARN [pool] INFORMATION about ERROR_RATE`);
    else lines.push(`${time} INFO [api] request ${i} done`);
  }
  await writeAtomic(path, gzipSync(`${lines.join('\n')}\n`));
  const started = performance.now();
  const counts = await countLevels(path, { signal });
  say(
    `${counts.lines} lines (gzip) in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(counts.levels)}`,
  );
  const naive = await run('bash', ['-c', 'zcat "$1" | grep -c ERROR', 'grep', path], {
    signal,
    reject: false,
  });
  say(
    `\`zcat | grep -c ERROR\` says ${naive.stdout.trim()}; the exact answer is ${counts.levels.ERROR} (ERROR_RATE is not a level, JSON 50 is)`,
  );
}
