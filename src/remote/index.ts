/**
 * Collect commands and metrics from many hosts over SSH, in parallel, with typed results:
 * inventories (YAML, JSON, CSV) validated at the boundary, metric parsers for `/proc` and
 * `df`, and writers for JSON, NDJSON and CSV. (`collect` itself lands next.)
 *
 * @module remote
 */
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
export type { CommandResult, HostError, HostResult } from './types.js';
export { type CsvOptions, type ToJsonOptions, toCSV, toJSON, toNDJSON } from './writers.js';
