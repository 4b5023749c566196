/**
 * @module scripts/check-layers
 * Fails on an import that breaks the layering of `src/` (issue 11).
 *
 *   npm run check:layers                  # src/ of this repository (`npm run lint` runs it)
 *   npx tsx scripts/check-layers.ts --root DIR   # DIR/src instead (the tests' fixture trees)
 *
 * The nodes are the folders of `src/` (its first path segment: `auth`,
 * `routes`, …, whatever exists) and each file at its top (`app.ts`,
 * `index.ts`, …). Every import of every file counts, type-only ones
 * included (`scripts/lib/imports.ts` reads them with the TypeScript parser).
 * An import reaches a node, an npm package (`npm:<name>`) or a Node.js
 * built-in (`node:<name>`). The rules are data, the `RULES` table below
 * (edit it to change one):
 *
 * - routes → services → storage: only `services/`, `storage/` and the
 *   composition root (`app.ts`, `index.ts`, `lib.ts`) import `storage/`;
 *   routes, authenticators, permissions, `http/`, `html/` call services.
 * - `crypto/` is pure: it imports `crypto/`, `jose` and `@noble/hashes` only.
 * - storage knows no use case: `storage/` imports none of `services/`,
 *   `routes/`, `auth/`, `permissions/`, `http/`, `html/`.
 * - `http/` knows no authentication class: it imports none of `auth/`,
 *   `services/`, `routes/`, `permissions/`.
 * - services are plain: `services/` imports none of `routes/`, `auth/`,
 *   `http/`, `html/`, nor `hono`.
 * - Web APIs only: no Node.js built-in (`node:*` or a bare `fs`, `crypto`, …).
 *
 * And two checks that are not in the table:
 *
 * - no cycles between nodes: every elementary cycle of the node graph is
 *   printed, with one example import per edge;
 * - every import is checkable: a literal specifier that names a file inside
 *   `src/` or a package (not `import(variable)`, not a missing file, not
 *   `../` out of `src/`).
 *
 * Prints one block per violation (where, which rule, how to fix) and a last
 * line `layering: N files, M imports, K violations`; exits 1 when K > 0.
 */
import { builtinModules } from 'node:module';
import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { parseFlags } from './lib/cli';
import { importsOf, sourceFiles, type Import } from './lib/imports';

/** Nodes (`auth`, `app.ts`) and targets (`npm:hono`, `node:fs`); `x*` matches a prefix. */
type Selector = '*' | { only: string[] } | { except: string[] };

interface Rule {
  name: string;
  /** The rule in one sentence, printed with each violation. */
  says: string;
  /** The nodes the rule applies to. */
  from: Selector;
  /** What those nodes must not import. */
  forbids: Selector;
  fix: string;
}

const COMPOSITION_ROOT = ['app.ts', 'index.ts', 'lib.ts'];

const RULES: Rule[] = [
  {
    name: 'routes → services → storage',
    says: 'only services/, storage/ and the composition root (app.ts, index.ts, lib.ts) import storage/',
    from: { except: ['services', 'storage', ...COMPOSITION_ROOT] },
    forbids: { only: ['storage'] },
    fix: 'call a function of services/ instead; the composition root hands the stores to the services',
  },
  {
    name: 'crypto is pure',
    says: 'crypto/ imports only crypto/ and the packages jose and @noble/hashes',
    from: { only: ['crypto'] },
    forbids: { except: ['crypto', 'npm:jose', 'npm:@noble/hashes'] },
    fix: 'take what crypto/ needs as arguments (bytes, keys, numbers), or move this code out of crypto/',
  },
  {
    name: 'storage knows no use case',
    says: 'storage/ imports none of services/, routes/, auth/, permissions/, http/, html/',
    from: { only: ['storage'] },
    forbids: { only: ['services', 'routes', 'auth', 'permissions', 'http', 'html'] },
    fix: 'move the type or function storage/ needs down into storage/ (or a folder below it)',
  },
  {
    name: 'http knows no authentication class',
    says: 'http/ imports none of auth/, services/, routes/, permissions/',
    from: { only: ['http'] },
    forbids: { only: ['auth', 'services', 'routes', 'permissions'] },
    fix: 'move what http/ needs into http/ or errors.ts, and let auth/ import it from there',
  },
  {
    name: 'services are plain',
    says: 'services/ imports none of routes/, auth/, http/, html/, nor hono',
    from: { only: ['services'] },
    forbids: { only: ['routes', 'auth', 'http', 'html', 'npm:hono'] },
    fix: 'return a domain result or throw a domain error; routes/ and http/ turn it into a response',
  },
  {
    name: 'Web APIs only',
    says: 'src/ imports no Node.js built-in: it runs on Workers without nodejs_compat and on Deno',
    from: '*',
    forbids: { only: ['node:*'] },
    fix: 'use the Web API (crypto.subtle, TextEncoder, Uint8Array, fetch, URL)',
  },
];

const CYCLE = {
  name: 'no cycles between folders',
  says: 'the graph of folders and top-level files of src/ has no cycle',
  fix: 'remove one edge: move the shared code into the lower node, or pass it in as an argument',
};
const CHECKABLE = {
  name: 'every import is checkable',
  says: 'an import in src/ is a literal specifier naming a file of src/ or a package',
};
/** Cycles printed at most; a tangle has very many. */
const MAX_CYCLES = 50;

const USAGE = `Usage: npx tsx scripts/check-layers.ts [--root DIR]

Checks the imports of DIR/src against the layering rules in the script's
header. Exits 1 when an import breaks one.

Options:
  --root DIR   the folder that holds src/ (default: this repository)`;

function matches(selector: Selector, key: string): boolean {
  const hit = (patterns: string[]) =>
    patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
  if (selector === '*') return true;
  return 'only' in selector ? hit(selector.only) : !hit(selector.except);
}

interface Edge {
  imp: Import;
  from: string;
  /** A node, `npm:<name>`, `node:<name>`, or null when the import cannot be checked. */
  to: string | null;
  /** For a file of src/: its path from the root. */
  target?: string;
  problem?: string;
}

function nodeOf(srcDir: string, file: string): string | null {
  const path = relative(srcDir, file);
  if (path.startsWith('..') || resolve(srcDir, path) !== file) return null;
  return path.split(sep)[0]!;
}

function packageTarget(specifier: string): string {
  const name = specifier.replace(/^node:/, '');
  const root = name.split('/')[0]!;
  if (specifier.startsWith('node:') || builtinModules.includes(name) || root === 'node')
    return `node:${name}`;
  const parts = name.split('/');
  return `npm:${name.startsWith('@') ? parts.slice(0, 2).join('/') : root}`;
}

function classify(root: string, srcDir: string, imp: Import): Edge {
  const from = nodeOf(srcDir, imp.file)!;
  if (imp.specifier === null) return { imp, from, to: null, problem: 'the specifier is computed' };
  if (imp.resolved === undefined) return { imp, from, to: packageTarget(imp.specifier) };
  if (imp.resolved === null) return { imp, from, to: null, problem: 'no such file' };
  const to = nodeOf(srcDir, imp.resolved);
  const target = relative(root, imp.resolved);
  return to === null
    ? { imp, from, to, target, problem: 'the file is outside src/' }
    : { imp, from, to, target };
}

function where(root: string, imp: Import): string {
  return `${relative(root, imp.file)}:${imp.line}`;
}

function what(edge: Edge): string {
  const name = edge.target ?? edge.imp.specifier ?? '(a computed specifier)';
  return `${edge.imp.typeOnly ? 'imports type from' : 'imports'} ${name}`;
}

function ruleViolations(root: string, edges: Edge[]): string[] {
  const out: string[] = [];
  for (const edge of edges) {
    if (edge.to === null) {
      out.push(
        `${where(root, edge.imp)} ${what(edge)}: ${edge.problem}\n` +
          `  rule: ${CHECKABLE.name}: ${CHECKABLE.says}\n` +
          '  fix: import a literal path to a file of src/, or a package',
      );
      continue;
    }
    for (const rule of RULES) {
      if (!matches(rule.from, edge.from) || !matches(rule.forbids, edge.to)) continue;
      if (edge.to === edge.from) continue;
      out.push(
        `${where(root, edge.imp)} ${what(edge)}\n` +
          `  rule: ${rule.name}: ${rule.says}\n  fix: ${rule.fix}`,
      );
    }
  }
  return out;
}

/** node → node → the first import that makes that edge. */
function nodeGraph(edges: Edge[]): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const edge of edges) {
    if (edge.to === null || edge.to.includes(':') || edge.to === edge.from) continue;
    const out = graph.get(edge.from) ?? new Map<string, Edge>();
    if (!out.has(edge.to)) out.set(edge.to, edge);
    graph.set(edge.from, out);
  }
  return graph;
}

/** Every elementary cycle, each once: it starts at its smallest node (up to `MAX_CYCLES`). */
function cycles(graph: Map<string, Map<string, Edge>>): string[][] {
  const found: string[][] = [];
  const nodes = [...graph.keys()].sort();
  const walk = (start: string, path: string[]): void => {
    for (const next of [...(graph.get(path.at(-1)!)?.keys() ?? [])].sort()) {
      if (found.length >= MAX_CYCLES) return;
      if (next === start) found.push([...path, start]);
      else if (next > start && !path.includes(next)) walk(start, [...path, next]);
    }
  };
  for (const start of nodes) walk(start, [start]);
  return found.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

function cycleViolations(root: string, graph: Map<string, Map<string, Edge>>): string[] {
  const found = cycles(graph);
  const listed = found.map((cycle) => {
    const steps = cycle.slice(1).map((to, i) => {
      const edge = graph.get(cycle[i]!)!.get(to)!;
      return `  ${cycle[i]} → ${to}: ${where(root, edge.imp)} ${what(edge)}`;
    });
    return (
      `cycle ${cycle.join(' → ')}\n${steps.join('\n')}\n` +
      `  rule: ${CYCLE.name}: ${CYCLE.says}\n  fix: ${CYCLE.fix}`
    );
  });
  if (found.length >= MAX_CYCLES)
    listed.push(`(cycles listed: the first ${MAX_CYCLES}, there are more)`);
  return listed;
}

function main(): void {
  const flags = parseFlags({ root: { type: 'string' } }, USAGE);
  const root = resolve(flags.root ?? resolve(import.meta.dirname, '..'));
  const srcDir = resolve(root, 'src');
  if (!existsSync(srcDir)) {
    console.error(`Error: no src/ folder in ${root}`);
    process.exit(1);
  }
  const files = sourceFiles(srcDir);
  const edges = files.flatMap(importsOf).map((imp) => classify(root, srcDir, imp));
  const graph = nodeGraph(edges);
  const violations = [...ruleViolations(root, edges), ...cycleViolations(root, graph)];
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const summary = `layering: ${count(files.length, 'file')}, ${count(edges.length, 'import')}, ${count(violations.length, 'violation')}`;
  if (violations.length === 0) {
    console.log(summary);
    return;
  }
  console.error(`${violations.join('\n\n')}\n\n${summary}`);
  process.exit(1);
}

main();
