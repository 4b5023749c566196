/**
 * @module scripts/lib/imports
 * Reads every import of a tree of TypeScript files with the TypeScript
 * compiler's parser (syntax only: no program, no tsconfig, no type-checking,
 * so it is fast and sees files that do not compile). An import is any of:
 * `import … from`, `import type … from`, a side-effect `import '…'`,
 * `export … from`, `import x = require('…')`, an `import('…')` call, an
 * `import('…').T` type, and the `/// <reference path|types>` directives.
 * Type-only ones are marked, not dropped: a type import still couples two
 * layers. Relative specifiers are resolved to files as this repo's
 * `moduleResolution: "bundler"` does (extensionless, `.js` naming `.ts`, a
 * folder's `index`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** One import as written in a file. */
export interface Import {
  /** Absolute path of the importing file. */
  file: string;
  /** 1-based line of the import. */
  line: number;
  /** The module specifier, or null when it is not a string literal (`import(name)`). */
  specifier: string | null;
  /** `import type`, `export type`, `import('…').T` or a reference directive. */
  typeOnly: boolean;
  /** For a relative specifier: the file it names, or null when none matches. */
  resolved?: string | null;
}

const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.jsx'];
/** `./x.js` in TypeScript source names `./x.ts` (and so on). */
const SOURCE_OF: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

/** Every source file under `dir`, sorted, as absolute paths. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (SOURCE.test(entry.name)) files.push(path);
  }
  return files.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names, or null. */
export function resolveRelative(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier);
  const extension = /\.[cm]?jsx?$/.exec(base)?.[0];
  const stem = extension ? base.slice(0, -extension.length) : base;
  const candidates = [
    base,
    ...(extension ? (SOURCE_OF[extension] ?? []).map((e) => stem + e) : []),
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => join(base, `index${e}`)),
  ];
  return candidates.find(isFile) ?? null;
}

function scriptKind(file: string): ts.ScriptKind {
  if (/\.[jt]sx$/.test(file)) return file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.JSX;
  return /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/** `import type {…}`, or named imports that are all `type`, with no default. */
function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    !clause.name &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((element) => element.isTypeOnly)
  );
}

function typeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  );
}

type Found = [node: ts.Node, specifier: ts.Node | undefined, typeOnly: boolean];

/** The import a node is, if it is one. */
function asImport(node: ts.Node): Found | undefined {
  if (ts.isImportDeclaration(node)) return [node, node.moduleSpecifier, typeOnlyImport(node)];
  if (ts.isExportDeclaration(node) && node.moduleSpecifier)
    return [node, node.moduleSpecifier, typeOnlyExport(node)];
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
    return [node, node.moduleReference.expression, node.isTypeOnly];
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
    return [node, node.arguments[0], false];
  if (ts.isImportTypeNode(node)) {
    const argument = node.argument;
    return [node, ts.isLiteralTypeNode(argument) ? argument.literal : argument, true];
  }
  return undefined;
}

/** Every import of one file, in source order. */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const lineAt = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const found: Import[] = [];
  const add = (line: number, specifier: string | null, typeOnly: boolean) => {
    const relative = specifier !== null && /^\.{0,2}\//.test(specifier);
    const resolved = relative ? resolveRelative(file, specifier) : undefined;
    found.push({ file, line, specifier, typeOnly, ...(relative ? { resolved } : {}) });
  };
  for (const ref of source.referencedFiles) {
    const path = /^\.{0,2}\//.test(ref.fileName) ? ref.fileName : `./${ref.fileName}`;
    add(lineAt(ref.pos), path, true);
  }
  for (const ref of source.typeReferenceDirectives) add(lineAt(ref.pos), ref.fileName, true);
  const visit = (node: ts.Node): void => {
    const hit = asImport(node);
    if (hit) {
      const [at, specifier, typeOnly] = hit;
      const literal = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : null;
      add(lineAt(at.getStart(source)), literal, typeOnly);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
