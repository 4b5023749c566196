/**
 * The samples of `npm run soak`: after each segment of load, every isolate of
 * the workerd process is garbage-collected and its heap read through the V8
 * inspector (one session per isolate, kept open for the whole run), the
 * Worker's heap snapshot is summed by node type (compiled code against data),
 * and the process's memory is read from /proc/<pid>/status.
 */
import { readFileSync } from 'node:fs';
import { InspectorSession, listTargets, type HeapComposition, type HeapUsage } from './inspector';
import type { WorkerInstance } from './server';

/** The workerd process's memory, from /proc/<pid>/status, in KiB. */
export interface ProcessMemory {
  rssKiB: number;
  rssAnonKiB: number;
  rssFileKiB: number;
  peakRssKiB: number;
}

export interface Sample {
  /** `before`: after seeding; `warm-up`: after the warm-up; `load`: in the measured minutes. */
  phase: 'before' | 'warm-up' | 'load';
  /** Seconds of measured load before this sample (0 before and after the warm-up). */
  loadSeconds: number;
  /** Answers so far, over the whole run. */
  requests: number;
  /** Answers per second in the load segment before this sample. */
  rps: number;
  /** The Worker's isolate, after a full GC. */
  worker: HeapUsage;
  /** The Worker's heap snapshot by node type (`code`, `string`, `object`, `native`, ...), bytes. */
  workerByType: Record<string, number>;
  /** Every isolate of the workerd process after a full GC, by target (`d1:db`, `kv:ns`, ...). */
  isolates: Record<string, HeapUsage>;
  process?: ProcessMemory;
}

export function processMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return {
      rssKiB: kib('VmRSS'),
      rssAnonKiB: kib('RssAnon'),
      rssFileKiB: kib('RssFile'),
      peakRssKiB: kib('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

export interface Sampler {
  /** The Worker's inspector target, `core:user:<name>`. */
  workerTarget: string;
  sample(
    phase: Sample['phase'],
    loadSeconds: number,
    requests: number,
    rps: number,
  ): Promise<Sample>;
  /** The Worker's full heap composition at each sample, in order (kept for diffs). */
  compositions: HeapComposition[];
  close(): void;
}

export async function createSampler(worker: WorkerInstance): Promise<Sampler> {
  const sessions = new Map<string, InspectorSession>();
  try {
    for (const [target, url] of await listTargets(worker.inspectorUrl!)) {
      sessions.set(target, await InspectorSession.open(url));
    }
  } catch (err) {
    for (const session of sessions.values()) session.close();
    throw err;
  }
  const workerTarget = [...sessions.keys()].find((target) => target.startsWith('core:user:'));
  if (!workerTarget) throw new Error('the inspector lists no core:user: isolate');
  const compositions: HeapComposition[] = [];
  return {
    workerTarget,
    compositions,
    async sample(phase, loadSeconds, requests, rps) {
      const isolates: Record<string, HeapUsage> = {};
      for (const [target, session] of sessions) {
        if (target !== workerTarget) isolates[target] = await session.heapAfterGc();
      }
      // The Worker last, so that its figures are the closest to the process's RSS below.
      const { composition, ...heap } = await sessions.get(workerTarget)!.heapAfterGc(true);
      isolates[workerTarget] = heap;
      compositions.push(composition);
      const memory = processMemory(worker.pid);
      const base = { phase, loadSeconds, requests, rps, worker: heap, isolates };
      return {
        ...base,
        workerByType: composition.byType,
        ...(memory ? { process: memory } : {}),
      };
    },
    close() {
      for (const session of sessions.values()) session.close();
    },
  };
}
