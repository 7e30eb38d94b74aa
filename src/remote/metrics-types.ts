/** The built-in metrics, in the order the metrics command prints them. */
export const METRIC_NAMES = ['os', 'uptime', 'load', 'memory', 'cpu', 'disk'] as const;

/** One built-in metric: `cpu`, `memory`, `disk`, `load`, `uptime` or `os`. */
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * CPU time over the sampling interval, in percent of all CPUs, with vmstat's grouping:
 * `user` is user + nice, `system` is system + irq + softirq. `percent` (busy) is everything
 * but idle and iowait. `iowait` and `steal` are `null` on kernels that do not report them
 * (before 2.5.41 and 2.6.11).
 */
export interface CpuMetrics {
  readonly percent: number;
  readonly user: number;
  readonly system: number;
  readonly iowait: number | null;
  readonly steal: number | null;
  readonly idle: number;
  /** Logical CPUs (the `cpuN` lines of /proc/stat). */
  readonly count: number;
}

/**
 * Memory from /proc/meminfo, in bytes. `availableBytes` is the kernel's `MemAvailable`;
 * kernels before 3.14 lack it, and it is then estimated as free + buffers + cached
 * (+ reclaimable slab), with `availableEstimated: true`.
 */
export interface MemoryMetrics {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly availableEstimated: boolean;
  readonly usedBytes: number;
  readonly usedPercent: number;
  /** 0 on a host without swap. */
  readonly swapTotalBytes: number;
  readonly swapUsedBytes: number;
  /** `null` on a host without swap. */
  readonly swapUsedPercent: number | null;
}

/** One mounted filesystem, from `df -P -k`; sizes in bytes. */
export interface DiskMetrics {
  readonly filesystem: string;
  readonly mountPoint: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  /** Negative on the rare filesystems that report more used than their size allows. */
  readonly availableBytes: number;
  /** df's own capacity figure (rounded up, reserved blocks excluded); `null` when df prints `-`. */
  readonly usePercent: number | null;
}

/** /proc/loadavg. */
export interface LoadMetrics {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
  /** Runnable scheduling entities (processes and threads) now. */
  readonly running: number;
  /** Scheduling entities in total. */
  readonly total: number;
}

/** /proc/uptime, and the boot time from the `btime` line of /proc/stat. */
export interface UptimeMetrics {
  readonly seconds: number;
  /** Idle time summed over all CPUs, so it can exceed `seconds`. */
  readonly idleSeconds: number;
  /** When the host booted by its own clock, ISO 8601 in UTC; `null` when /proc/stat has no `btime`. */
  readonly bootTime: string | null;
}

/**
 * The operating system from /etc/os-release (or /usr/lib/os-release, or /etc/redhat-release
 * on hosts older than os-release) and the kernel from `uname -sr`. Fields the host does not
 * state are `null`.
 */
export interface OsMetrics {
  /** `NAME`, e.g. `Debian GNU/Linux`. */
  readonly name: string | null;
  /** `ID`, e.g. `debian`, `rhel`, `alpine`. */
  readonly id: string | null;
  /** `VERSION_ID`, else `VERSION`, e.g. `12`, `7`, `3.19.1`. */
  readonly version: string | null;
  /** `PRETTY_NAME`, e.g. `Debian GNU/Linux 12 (bookworm)`. */
  readonly prettyName: string | null;
  /** `uname -s`, e.g. `Linux`. */
  readonly kernelName: string;
  /** `uname -r`, e.g. `6.1.0-18-amd64`. */
  readonly kernelRelease: string;
}

/** Why one metric of a host could not be read; the other metrics are unaffected. */
export interface MetricError {
  /** `SRE_DATA_INVALID` (unparseable or missing output) or `SRE_REMOTE_COMMAND_FAILED`. */
  readonly code: string;
  readonly message: string;
}

/**
 * The built-in metrics of one host. A metric that was asked for is either present or has
 * an entry in `errors`, never both and never neither.
 */
export interface HostMetrics {
  readonly cpu?: CpuMetrics;
  readonly memory?: MemoryMetrics;
  readonly disk?: readonly DiskMetrics[];
  readonly load?: LoadMetrics;
  readonly uptime?: UptimeMetrics;
  readonly os?: OsMetrics;
  readonly errors?: Readonly<Partial<Record<MetricName, MetricError>>>;
}
