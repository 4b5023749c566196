/**
 * The verdict of `npm run soak`, the printed table and `bench/out/soak.json`.
 *
 * The verdict compares the Worker isolate's heap after a full GC in the
 * first minute of the measured load with the last minute: the mean of the
 * samples taken in each. The samples before any load and after the warm-up
 * are shown but not judged: the first thousands of requests build the app,
 * prepare the queries and, above all, make V8 compile optimised code for
 * every hot function, which grows the heap for a while (see
 * bench/RESULTS.md). The share of compiled code is read from the heap
 * snapshot, so the report also shows the growth of the heap without it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeapComposition } from './inspector';
import type { Machine } from './report';
import type { Sample } from './soak-sampler';

export interface Verdict {
  /** Mean heap in use after GC over the first minute's and the last minute's samples, bytes. */
  firstMinuteBytes: number;
  lastMinuteBytes: number;
  growthPercent: number;
  /** The same growth for the heap less its compiled code (bytecode, machine code, feedback). */
  dataGrowthPercent: number;
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
  /** What grew most in the Worker's heap between the end of the first minute and the end. */
  growth: Growth[];
  notes: string[];
}

export interface Growth {
  /** `type:name` in the heap snapshot, e.g. `object:Map` or `code:system / InstructionStream`. */
  node: string;
  countBefore: number;
  countAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** The `top` node kinds whose bytes grew most from `before` to `after`. */
export function growth(before: HeapComposition, after: HeapComposition, top = 15): Growth[] {
  const nodes = new Set([...Object.keys(before.byName), ...Object.keys(after.byName)]);
  const rows = [...nodes].map((node) => ({
    node,
    countBefore: before.byName[node]?.count ?? 0,
    countAfter: after.byName[node]?.count ?? 0,
    bytesBefore: before.byName[node]?.bytes ?? 0,
    bytesAfter: after.byName[node]?.bytes ?? 0,
  }));
  const delta = (row: Growth) => row.bytesAfter - row.bytesBefore;
  return rows
    .filter((row) => delta(row) > 0)
    .sort((a, b) => delta(b) - delta(a))
    .slice(0, top);
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function verdict(
  samples: Sample[],
  totalSeconds: number,
  thresholdPercent: number,
  failures: number,
): Verdict {
  const loaded = samples.filter((sample) => sample.phase === 'load');
  const first = loaded.filter((sample) => sample.loadSeconds <= 60);
  const last = loaded.filter((sample) => sample.loadSeconds >= totalSeconds - 60);
  const firstMinuteBytes = mean(first.map((sample) => sample.worker.used));
  const lastMinuteBytes = mean(last.map((sample) => sample.worker.used));
  const growthPercent = (lastMinuteBytes / firstMinuteBytes - 1) * 100;
  const data = (sample: Sample) => sample.worker.used - (sample.workerByType.code ?? 0);
  const dataGrowthPercent = (mean(last.map(data)) / mean(first.map(data)) - 1) * 100;
  return {
    firstMinuteBytes,
    lastMinuteBytes,
    growthPercent,
    dataGrowthPercent,
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
  'of which code',
  'Worker heap reserved',
  'Worker ArrayBuffers',
  'D1 sim. heap',
  'KV sim. heap',
  'all other isolates',
  'workerd RSS MiB',
];

export function sampleRows(samples: Sample[], workerTarget: string): string[][] {
  return samples.map((sample) => [
    sample.phase === 'load' ? String(sample.loadSeconds) : sample.phase,
    String(sample.requests),
    sample.phase === 'before' ? '—' : sample.rps.toFixed(0),
    mib(sample.worker.used),
    mib(sample.workerByType.code),
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
  const first = report.samples.find((sample) => sample.phase === 'load');
  const last = report.samples.at(-1);
  const percent = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
  console.log(
    `\nWorker heap after GC, first minute → last minute: ${mib(v.firstMinuteBytes)} → ` +
      `${mib(v.lastMinuteBytes)} MiB (${percent(v.growthPercent)}, limit +${v.thresholdPercent} %); ` +
      `without compiled code ${percent(v.dataGrowthPercent)}`,
  );
  console.log(
    `workerd RSS, first loaded sample → last: ${mibOfKib(first?.process?.rssKiB)} → ` +
      `${mibOfKib(last?.process?.rssKiB)} MiB; answers with an unexpected status or errors: ${v.failures}`,
  );
  if (report.growth.length > 0) {
    console.log('\nWhat grew most in the Worker heap from the end of the first minute to the end:');
    for (const row of report.growth.slice(0, 10)) {
      const bytes = `${row.bytesBefore} → ${row.bytesAfter} B`;
      console.log(`  ${row.node.slice(0, 70)}: ${bytes}, ${row.countBefore} → ${row.countAfter}`);
    }
  }
  if (v.note) console.log(`note: ${v.note}`);
  console.log(`verdict: ${v.passed ? 'PASS' : 'FAIL'}`);
}

export function writeSoakReport(outDir: string, report: SoakReport, workerTarget: string): void {
  mkdirSync(outDir, { recursive: true });
  const table = markdownTable(sampleRows(report.samples, workerTarget));
  writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify({ ...report, table }, null, 2)}\n`);
}
