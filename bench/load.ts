// One load run with autocannon, plus what the kernel says the processes did meanwhile: CPU time
// of the server, of PostgreSQL (postmaster and backends) and of this load generator, and the
// server's resident memory.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import autocannon, { type Request, type Result } from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  requests: Request[];
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** latencies in ms, from every response (2xx or not) */
  p50: number;
  p95: number;
  p97_5: number;
  p99: number;
  max: number;
  errors: number;
  statusCodes: Record<string, number>;
  bytesPerResponse: number;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

/**
 * Runs autocannon for `seconds` and returns throughput and latency percentiles. Percentiles come
 * from each response's own time (autocannon's `response` event, sub-millisecond), so p95 is
 * exact rather than read off autocannon's integer-millisecond histogram. Errors are connection
 * errors, timeouts and non-2xx responses together.
 */
export function runLoad(o: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    const instance = autocannon(
      { url: o.url, connections: o.connections, duration: o.seconds, timeout: 10, requests: o.requests },
      (error: Error | null, result: Result) => {
        if (error) return reject(error);
        const sorted = latencies.slice(0, count).sort();
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
        resolve({
          requests: count,
          seconds: result.duration,
          rps: count / result.duration,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p97_5: percentile(sorted, 97.5),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? NaN,
          errors: result.errors + result.timeouts + result.non2xx,
          statusCodes,
          bytesPerResponse: count ? result.throughput.total / count : 0,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = ms;
    });
  });
}

// ---------------------------------------------------------------------------------------------
// /proc readings (Linux)

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime and ppid of a process, or null once it is gone. */
function stat(pid: number): { ppid: number; self: number; children: number } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it are fixed.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      self: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by `pid` alone. */
export function cpuSeconds(pid: number): number {
  return (stat(pid)?.self ?? 0) / clockTicks();
}

/**
 * CPU seconds used so far by a process tree: the root (with its reaped children) and the
 * children still running. For PostgreSQL the root is the postmaster and the children are the
 * backends and background workers.
 */
export function treeCpuSeconds(rootPid: number): number {
  const root = stat(rootPid);
  if (!root) return 0;
  let ticks = root.self + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.ppid === rootPid) ticks += s.self;
  }
  return ticks / clockTicks();
}

/**
 * CPU seconds the whole machine has spent busy so far (all cores, steal excluded), from the
 * first line of /proc/stat: what is left after the bench's own processes is everyone else's.
 */
export function machineCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = fields;
  return (user + nice + system + irq + softirq) / clockTicks();
}

/** Resident memory now (VmRSS) and its peak so far (VmHWM), in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
