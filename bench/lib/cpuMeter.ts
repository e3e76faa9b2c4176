/** Measures CPU use over an interval, in cores. */

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** CPU use over an interval, in cores (1.0 = one core busy the whole time). */
export interface CpuUse {
  seconds: number;
  /** This Node process, every thread. */
  nodeCores: number;
  /** How busy this process's main event loop was (0–1): at ~1 it, not the machine, is the limit. */
  eventLoopUtilization: number;
  /** Another process (DynamoDB Local's JVM), from /proc; undefined where /proc is not available. */
  otherCores?: number;
}

/** user + system CPU seconds of a process, from /proc/<pid>/stat (Linux). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Starts measuring; `stop()` returns the CPU used since. `otherPid`: e.g. DynamoDB Local's JVM. */
export function startCpuMeter(otherPid?: number): { stop(): CpuUse } {
  const started = performance.now();
  const node = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const other = otherPid === undefined ? undefined : processCpuSeconds(otherPid);
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(node);
      const otherNow = otherPid === undefined ? undefined : processCpuSeconds(otherPid);
      return {
        seconds,
        nodeCores: (used.user + used.system) / 1e6 / seconds,
        eventLoopUtilization: performance.eventLoopUtilization(loop).utilization,
        ...(other !== undefined && otherNow !== undefined
          ? { otherCores: (otherNow - other) / seconds }
          : {}),
      };
    },
  };
}
