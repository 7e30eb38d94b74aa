import { invalidOutput, splitLines } from './metrics-numbers.js';
import type { DiskMetrics } from './metrics-types.js';

const MAX_ROWS = 100_000;

/**
 * Parses `df -P -k` output (GNU coreutils or busybox) into one entry per mount. The first
 * four numeric columns are fixed and everything after the capacity is the mount point, so
 * mount points with spaces survive. The block size is read from the header (`1024-blocks`,
 * `1K-blocks`, `512-blocks`); lines df writes to stderr (`df: /mnt/nfs: Stale file handle`)
 * are skipped; a row that df without `-P` wrapped onto two lines is joined back.
 *
 * @throws `SRE_DATA_INVALID` when no row can be read.
 *
 * @example
 * ```ts
 * import { parseDf } from 'sre-kit/remote';
 *
 * const [root] = parseDf(
 *   'Filesystem 1024-blocks Used Available Capacity Mounted on\n' +
 *     '/dev/sda1 41152736 9170784 29868428 24% /\n',
 * );
 * root?.usePercent; // 24
 * ```
 */
export function parseDf(text: string): DiskMetrics[] {
  const lines = splitLines(text).slice(0, MAX_ROWS);
  let blockBytes = 1024;
  const disks: DiskMetrics[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (/^Filesystem\s/.test(line)) {
      blockBytes = headerBlockBytes(line) ?? blockBytes;
      continue;
    }
    let disk = parseRow(line, blockBytes);
    // Without -P, df puts a long filesystem name on a line of its own.
    if (disk === undefined && /^\S+$/.test(line) && index + 1 < lines.length) {
      disk = parseRow(`${line} ${lines[index + 1]!.trimStart()}`, blockBytes);
      if (disk !== undefined) index++;
    }
    if (disk !== undefined) disks.push(disk);
  }
  if (disks.length === 0) throw invalidOutput('df -P -k output', 'no filesystem rows', text);
  return disks;
}

const NUMBER = /^\d+$/;

/**
 * One row: the filesystem, three numbers (available may be negative), the capacity (`24%`
 * or `-`), then the mount point, which is the rest of the line as it is: df -P prints
 * spaces in it unescaped. The first place where that sequence fits wins, so a source with
 * spaces (`//nas/team share`) ends before the numbers. Token by token, in linear time,
 * since the text comes from a host that may be hostile.
 */
function parseRow(line: string, blockBytes: number): DiskMetrics | undefined {
  const tokens = [...line.matchAll(/\S+/g)];
  for (let at = 4; at < tokens.length - 1; at++) {
    const capacity = tokens[at]![0];
    if (!/^(\d+%|-)$/.test(capacity)) continue;
    const [size, used, available] = [tokens[at - 3]![0], tokens[at - 2]![0], tokens[at - 1]![0]];
    if (!NUMBER.test(size) || !NUMBER.test(used) || !/^-?\d+$/.test(available)) continue;
    const filesystemEnd = tokens[at - 4]!.index + tokens[at - 4]![0].length;
    return {
      filesystem: line.slice(tokens[0]!.index, filesystemEnd),
      mountPoint: line.slice(tokens[at + 1]!.index),
      sizeBytes: Number(size) * blockBytes,
      usedBytes: Number(used) * blockBytes,
      availableBytes: Number(available) * blockBytes,
      usePercent: capacity === '-' ? null : Number.parseInt(capacity, 10),
    };
  }
  return undefined;
}

function headerBlockBytes(header: string): number | undefined {
  const match = /\s(\d+)([KMG]?)-blocks\s/i.exec(header);
  if (!match) return undefined;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase()] ?? 1;
  return Number(match[1]) * unit;
}
