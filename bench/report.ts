/**
 * The printed table, `bench/out/results.json` and `bench/out/results.md`
 * (the tables of bench/RESULTS.md, ready to paste).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CaseResult } from './measure';
import { formatMs, type ColdCall, type MicroResult } from './runtime';
import type { RequestCase } from './ops';
import type { StorageReport, StorageRow } from './storage';

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  node: string;
  wrk: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function machine(): Machine {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // Not Linux.
  }
  let wrk = 'unknown';
  try {
    execFileSync('wrk', ['--version'], { encoding: 'utf8' });
  } catch (err) {
    // wrk prints its version and exits 1.
    wrk = /wrk (\S+)/.exec(String((err as { stdout?: string }).stdout))?.[1] ?? wrk;
  }
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu,
    node: process.version,
    wrk,
    loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
  };
}

export interface InstanceReport {
  name: string;
  settings: Record<string, string>;
  cases: CaseResult[];
}

export interface Report {
  command: string;
  machine: Machine;
  options: Record<string, unknown>;
  server: string;
  instances: InstanceReport[];
  storage?: Omit<StorageReport, 'credentials'>;
  micro?: MicroResult[];
  /** The in-isolate request cases (credentials left out). */
  requestCases?: Omit<RequestCase, 'headers'>[];
  runtime?: {
    clock: unknown;
    envStable: boolean;
    argon2Params: string;
    /** The first hashes of a fresh isolate, one call each. */
    argon2FirstHashes?: ColdCall[];
  };
  notes: string[];
}

const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);

const ratio = (value: number) => value.toFixed(value < 0.1 ? 4 : 2);

function ratioCell(result: CaseResult): string {
  const m = result.median!;
  if (result.kind === 'baseline') return '1.00';
  return `${ratio(m.ratio)} (${ratio(m.ratioMin)}–${ratio(m.ratioMax)})`;
}

function targetText(value: number | undefined, target: number | undefined): string {
  if (target === undefined || value === undefined) return '';
  return `${value >= target ? 'met' : 'MISSED'} (≥ ${target})`;
}

function targetCell(result: CaseResult): string {
  return targetText(result.median?.ratio, result.target);
}

function caseRow(result: CaseResult): string[] {
  if (!result.median) return [result.label, 'skipped', '', '', '', '', result.skipped ?? ''];
  const m = result.median;
  const flags = [m.failures > 0 ? `${m.failures} failed` : '', m.capped ? 'capped' : '']
    .filter(Boolean)
    .join(', ');
  return [
    result.label,
    m.rps.toFixed(m.rps < 10 ? 2 : 0),
    ratioCell(result),
    formatMs(m.p50Ms),
    formatMs(m.p99Ms),
    targetCell(result),
    flags,
  ];
}

const HEADER = ['case', 'req/s', 'ratio (min–max)', 'p50 ms', 'p99 ms', 'target', 'notes'];

/** A plain-text table; columns listed in `numeric` are right-aligned. */
function textTable(header: string[], rows: string[][], numeric: number[]): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (numeric.includes(i) ? lpad(cell, widths[i]!) : pad(cell, widths[i]!)));
  return [header, ...rows].map((row) => line(row).join('  ').trimEnd()).join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.map(escape).join(' | ')} |`)
    .join('\n');
}

/** Round trips issued before and after the response, added up. */
function total(row: StorageRow) {
  const [a, b] = [row.beforeResponse, row.afterResponse];
  return {
    d1Reads: a.d1.reads + b.d1.reads,
    d1Writes: a.d1.writes + b.d1.writes,
    d1Trips: a.d1.roundTrips + b.d1.roundTrips,
    d1Statements: a.d1.statements + b.d1.statements,
    kvReads: a.kv.reads + b.kv.reads,
    kvKeys: a.kv.keysRead + b.kv.keysRead,
    kvWrites: a.kv.writes + a.kv.deletes + b.kv.writes + b.kv.deletes,
  };
}

function tripsCell(row: StorageRow): string[] {
  const t = total(row);
  const batched = t.d1Statements > t.d1Trips ? ` (${t.d1Trips} round trips)` : '';
  const keys = t.kvKeys > t.kvReads ? ` (${t.kvKeys} keys)` : '';
  return [
    row.label,
    String(row.status),
    `${t.d1Reads}`,
    `${t.d1Writes}${batched}`,
    `${t.kvReads}${keys}`,
    `${t.kvWrites}`,
    row.waitUntil > 0 ? `${row.waitUntil}` : '—',
  ];
}

const STORAGE_HEADER = [
  'request',
  'status',
  'D1 reads',
  'D1 writes',
  'KV reads',
  'KV writes',
  'waitUntil tasks',
];

const MICRO_HEADER = ['operation', 'wall ms/op', 'workerd CPU ms/op', 'iterations per call'];

function microRow(result: MicroResult): string[] {
  const cpu = result.cpuMsPerOp === undefined ? 'n/a' : formatMs(result.cpuMsPerOp);
  const label =
    result.unexpectedStatus === undefined
      ? result.label
      : `${result.label} (answered ${result.unexpectedStatus}!)`;
  return [label, formatMs(result.msPerOp), cpu, String(result.iterations)];
}

const ISOLATE_HEADER = [
  'request served inside workerd',
  'ms, local D1/KV',
  'ratio',
  'ms, storage from memory',
  'ratio',
  'target',
];

/**
 * Whole requests inside the isolate, as ratios to the baseline request: with
 * the local storage simulators, and with storage reads answered from memory
 * (the Worker's own CPU, as in production where storage is remote I/O).
 */
function isolateRows(report: Report): string[][] {
  const micro = report.micro ?? [];
  const find = (id: string, storage: 'local' | 'memo') =>
    micro.find((result) => result.caseId === id && result.storage === storage);
  const baseline = find('baseline', 'local')?.msPerOp;
  if (baseline === undefined) return [];
  return (report.requestCases ?? []).map((c) => {
    const local = find(c.id, 'local')?.msPerOp;
    const memo = find(c.id, 'memo')?.msPerOp;
    const cells = [local, memo].flatMap((ms) =>
      ms === undefined ? ['', ''] : [formatMs(ms), ratio(baseline / ms)],
    );
    const best = memo ?? local;
    return [
      c.label,
      ...cells,
      targetText(best === undefined ? undefined : baseline / best, c.target),
    ];
  });
}

function instanceHeading(instance: InstanceReport): string {
  const baseline = instance.cases.find((result) => result.kind === 'baseline');
  const rps = baseline?.median ? `${baseline.median.rps.toFixed(0)} req/s` : 'n/a';
  const settings = Object.entries(instance.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  return `${instance.name} (${settings}); baseline ${rps}`;
}

export function printTable(report: Report): void {
  const { machine: m } = report;
  console.log(`\nedgeauth bench: ${m.date}, ${m.nproc} × ${m.cpu}, Node ${m.node}, wrk ${m.wrk}`);
  console.log(`server: ${report.server}; load avg at start ${m.loadAverageAtStart.join(' ')}`);
  for (const instance of report.instances) {
    console.log(`\n${instanceHeading(instance)}`);
    console.log(textTable(HEADER, instance.cases.map(caseRow), [1, 2, 3, 4]));
  }
  if (report.storage) {
    console.log('\nstorage round trips of one request (before the response; then after it)');
    console.log(textTable(STORAGE_HEADER, report.storage.rows.map(tripsCell), []));
    if (report.storage.sessionSkipped)
      console.log(`session: skipped (${report.storage.sessionSkipped})`);
  }
  if (report.micro) {
    const cold = report.runtime?.argon2FirstHashes;
    if (cold) console.log(`\n${coldLine(cold)}`);
    console.log('\nmicro-benchmarks inside workerd (per operation)');
    console.log(textTable(MICRO_HEADER, report.micro.map(microRow), [1, 2, 3]));
    const isolate = isolateRows(report);
    if (isolate.length > 0) {
      console.log(
        '\nwhole requests inside workerd (no HTTP, no wrk), ratio to the baseline request',
      );
      console.log(textTable(ISOLATE_HEADER, isolate, [1, 2, 3, 4]));
    }
  }
  for (const note of report.notes) console.log(`note: ${note}`);
}

function coldLine(cold: ColdCall[]): string {
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted[Math.floor(sorted.length / 2)]!;
    return `first ${formatMs(values[0]!)}, median ${formatMs(middle)}, min ${formatMs(sorted[0]!)}, max ${formatMs(sorted.at(-1)!)} ms`;
  };
  const cpu = cold.flatMap((call) => (call.cpuMs === undefined ? [] : [call.cpuMs]));
  const cpuText = cpu.length === cold.length ? `; workerd CPU: ${stats(cpu)}` : '';
  return (
    `argon2id hash (WebAssembly) at OWASP parameters, ${cold.length} single hashes in a fresh isolate: ` +
    `${stats(cold.map((call) => call.wallMs))}${cpuText}`
  );
}

export function markdown(report: Report): string {
  const sections = report.instances.map(
    (instance) =>
      `#### ${instanceHeading(instance)}\n\n${markdownTable(HEADER, instance.cases.map(caseRow))}`,
  );
  if (report.storage) {
    sections.push(
      `#### Storage round trips of one request\n\n${markdownTable(STORAGE_HEADER, report.storage.rows.map(tripsCell))}`,
    );
  }
  const cold = report.runtime?.argon2FirstHashes;
  if (cold) sections.push(coldLine(cold));
  if (report.micro) {
    sections.push(
      `#### Micro-benchmarks inside workerd\n\n${markdownTable(MICRO_HEADER, report.micro.map(microRow))}`,
    );
    sections.push(
      `#### Whole requests inside workerd\n\n${markdownTable(ISOLATE_HEADER, isolateRows(report))}`,
    );
  }
  return `${sections.join('\n\n')}\n`;
}

export function writeReport(outDir: string, report: Report): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), markdown(report));
}
