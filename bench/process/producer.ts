/** One log line as services write them: 99 characters and a newline, 100 bytes in all. */
export const LOG_LINE =
  '2024-05-01T12:34:56.789Z INFO  api-7f9c [req=8f14e45f] GET /v1/orders/12345 200 12ms peer=10.0.3.17\n';

if (Buffer.byteLength(LOG_LINE) !== 100) throw new Error(`LOG_LINE must be 100 bytes, is ${LOG_LINE.length}`);

// Writes whole lines up to the byte count with blocking writes to the pipe. A Node child and
// not `yes … | head -c`: that pipeline tops out near 700 MB/s on a 2-vCPU machine (two extra
// processes, one more pipe hop), so it would measure itself rather than the reader.
const SCRIPT = `
const { writeSync } = require('node:fs');
const block = Buffer.from(process.argv[1].repeat(655));
let left = Number(process.argv[2]);
while (left > 0) left -= writeSync(1, block, 0, Math.min(left, block.length));
`;

/** A stream to read: the command producing it (no shell) and what a reader must count. */
export interface Stream {
  file: string;
  args: string[];
  bytes: number;
  lines: number;
}

/** A command writing the largest whole number of {@link LOG_LINE}s that fits in `maxBytes`. */
export function logStream(maxBytes: number): Stream {
  const lines = Math.floor(maxBytes / LOG_LINE.length);
  const bytes = lines * LOG_LINE.length;
  return { file: process.execPath, args: ['-e', SCRIPT, LOG_LINE, String(bytes)], bytes, lines };
}
