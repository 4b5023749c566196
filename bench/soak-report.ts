/**
 * The samples of `npm run soak`, its verdict, the printed table and
 * `bench/out/soak.json`.
 *
 * The verdict compares the Worker isolate's heap after a full GC in the
 * first minute of load with the last minute: the mean of the samples taken
 * in each (the sample before any load is shown but not judged, since the
 * first requests build the app, compile the code and prepare the queries).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeapUsage } from './inspector';
import type { Machine } from './report';

/** The workerd process's memory, from /proc/<pid>/status, in KiB. */
export interface ProcessMemory {
  rssKiB: number;
  rssAnonKiB: number;
  rssFileKiB: number;
  peakRssKiB: number;
}

export interface Sample {
  /** Seconds of load before this sample (0: after seeding, before any load). */
  loadSeconds: number;
  /** Answers so far, over the whole run. */
  requests: number;
  /** Answers per second in the load segment before this sample. */
  rps: number;
  /** The Worker's isolate, after a full GC. */
  worker: HeapUsage;
  /** Every isolate of the workerd process after a full GC, by target (`d1:db`, `kv:ns`, ...). */
  isolates: Record<string, HeapUsage>;
  process?: ProcessMemory;
}

export interface Verdict {
  /** Mean heap in use after GC over the first minute's and the last minute's samples, bytes. */
  firstMinuteBytes: number;
  lastMinuteBytes: number;
  growthPercent: number;
  thresholdPercent: number;
  passed: boolean;
  failures: number;
  note?: string;
}

export interface SoakReport {
  command: string;
  machine: Machine;
  software: Record<string, string>;
  options: Record<string, unknown>;
  server: string;
  mix: Array<{ label: string; weight: number }>;
  samples: Sample[];
  verdict: Verdict;
  notes: string[];
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

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function verdict(
  samples: Sample[],
  totalSeconds: number,
  thresholdPercent: number,
  failures: number,
): Verdict {
  const loaded = samples.filter((sample) => sample.loadSeconds > 0);
  const first = loaded.filter((sample) => sample.loadSeconds <= 60);
  const last = loaded.filter((sample) => sample.loadSeconds >= totalSeconds - 60);
  const firstMinuteBytes = mean(first.map((sample) => sample.worker.used));
  const lastMinuteBytes = mean(last.map((sample) => sample.worker.used));
  const growthPercent = (lastMinuteBytes / firstMinuteBytes - 1) * 100;
  return {
    firstMinuteBytes,
    lastMinuteBytes,
    growthPercent,
    thresholdPercent,
    passed: growthPercent <= thresholdPercent && failures === 0,
    failures,
    ...(totalSeconds < 120
      ? { note: 'shorter than 2 minutes: the first and the last minute overlap' }
      : {}),
  };
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? '—' : (bytes / 1024 / 1024).toFixed(2);
const mibOfKib = (kib: number | undefined) =>
  kib === undefined || Number.isNaN(kib) ? '—' : (kib / 1024).toFixed(0);

/** The isolates other than the Worker's, summed. */
function othersUsed(sample: Sample, workerTarget: string): number {
  return Object.entries(sample.isolates)
    .filter(([target]) => target !== workerTarget)
    .reduce((sum, [, heap]) => sum + heap.used, 0);
}

const HEADER = [
  'load s',
  'answers',
  'req/s',
  'Worker heap MiB',
  'Worker heap reserved',
  'Worker ArrayBuffer+Wasm',
  'D1 sim. heap',
  'KV sim. heap',
  'all other isolates',
  'workerd RSS MiB',
];

export function sampleRows(samples: Sample[], workerTarget: string): string[][] {
  return samples.map((sample) => [
    String(sample.loadSeconds),
    String(sample.requests),
    sample.loadSeconds === 0 ? '—' : sample.rps.toFixed(0),
    mib(sample.worker.used),
    mib(sample.worker.total),
    mib(sample.worker.backingStorage),
    mib(sample.isolates['d1:db']?.used),
    mib(sample.isolates['kv:ns']?.used),
    mib(othersUsed(sample, workerTarget)),
    mibOfKib(sample.process?.rssKiB),
  ]);
}

/** A Markdown table (as pasted into bench/RESULTS.md). */
export function markdownTable(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map(line)].join('\n');
}

export function printSoak(report: SoakReport, workerTarget: string): void {
  const rows = [HEADER, ...sampleRows(report.samples, workerTarget)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('\nSamples (heaps after a full GC, MiB):');
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  const v = report.verdict;
  const first = report.samples.find((sample) => sample.loadSeconds > 0);
  const last = report.samples.at(-1);
  console.log(
    `\nWorker heap after GC, first minute → last minute: ${mib(v.firstMinuteBytes)} → ` +
      `${mib(v.lastMinuteBytes)} MiB (${v.growthPercent >= 0 ? '+' : ''}${v.growthPercent.toFixed(1)} %, ` +
      `limit +${v.thresholdPercent} %)`,
  );
  console.log(
    `workerd RSS, first loaded sample → last: ${mibOfKib(first?.process?.rssKiB)} → ` +
      `${mibOfKib(last?.process?.rssKiB)} MiB; answers with an unexpected status or errors: ${v.failures}`,
  );
  if (v.note) console.log(`note: ${v.note}`);
  console.log(`verdict: ${v.passed ? 'PASS' : 'FAIL'}`);
}

export function writeSoakReport(outDir: string, report: SoakReport, workerTarget: string): void {
  mkdirSync(outDir, { recursive: true });
  const table = markdownTable(sampleRows(report.samples, workerTarget));
  writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify({ ...report, table }, null, 2)}\n`);
}
