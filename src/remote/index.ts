/**
 * Collect commands and metrics from many hosts over SSH, in parallel, with typed results:
 * inventories (YAML, JSON, CSV) validated at the boundary, metric parsers for `/proc` and
 * `df`, `collect` / `collectStream` over SSH (host keys checked, retries only before a command
 * starts, every host reported exactly once), and writers for JSON, NDJSON and CSV.
 *
 * @module remote
 */
export { collect, collectStream } from './collect.js';
export type {
  CollectHost,
  CollectJump,
  CollectOptions,
  CollectProgress,
  RetryOptions,
} from './collect-options.js';
export { type InventoryFormat, type LoadInventoryOptions, loadInventory } from './inventory.js';
export type { InventoryIssue } from './inventory-errors.js';
export { InventorySchema } from './inventory-schema.js';
export type { Host, HostEntry, Inventory, InventoryDefaults, JumpHost } from './inventory-types.js';
export { parseMetricsOutput } from './metrics.js';
export { buildMetricsCommand, type MetricsCommandOptions } from './metrics-command.js';
export { type CpuSample, computeCpuUsage, parseProcStat } from './metrics-cpu.js';
export { parseDf } from './metrics-disk.js';
export { parseMeminfo } from './metrics-memory.js';
export { parseLoadavg, parseOsRelease, parseUptime } from './metrics-system.js';
export {
  type CpuMetrics,
  type DiskMetrics,
  type HostMetrics,
  type LoadMetrics,
  METRIC_NAMES,
  type MemoryMetrics,
  type MetricError,
  type MetricName,
  type OsMetrics,
  type UptimeMetrics,
} from './metrics-types.js';
export { type SelectHostsOptions, selectHosts } from './select.js';
export {
  openSftp,
  type SftpClient,
  type SftpOptions,
  type SftpReadOptions,
  type SftpStat,
  type SftpWriteOptions,
} from './sftp.js';
export type { SftpConnectOptions } from './sftp-connect.js';
export type { HostKeyPolicy } from './ssh-host-key.js';
export type { CommandResult, HostError, HostResult } from './types.js';
export { type CsvOptions, type ToJsonOptions, toCSV, toJSON, toNDJSON } from './writers.js';
