/**
 * `npm run check:layers` (scripts/check-layers.ts), run as `npm run lint`
 * runs it, on the small `src/` trees in test/fixtures/layers/<case>/: one
 * tree that keeps every rule, and one per rule that breaks it. Each case
 * checks the status, the summary line, and every violation it prints (where,
 * what, which rule, how to fix), so a rule that stops firing, or fires on
 * something else, fails here.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from './run';

const check = (fixture: string) =>
  runScript('check-layers', ['--root', `test/fixtures/layers/${fixture}`]);

/** The first line of each violation block the checker printed, in order. */
function reported(output: string): string[] {
  return output
    .split('\n\n')
    .filter((block) => block.includes('\n  rule: '))
    .map((block) => block.split('\n')[0]!);
}

describe('npm run check:layers', () => {
  it('passes a tree that keeps every rule, counting its files and imports', async () => {
    // The clean tree uses every allowed edge: the composition root and services on storage/,
    // crypto/ on jose and @noble/hashes, type-only, export-from and dynamic imports, a folder index.
    const run = await check('clean');
    expect(run.output).toBe('layering: 16 files, 28 imports, 0 violations\n');
    expect(run.status).toBe(0);
  });

  it.each([
    {
      fixture: 'storage-outside-services',
      rule: 'routes → services → storage',
      fix: 'call a function of services/ instead',
      // app.ts and services/ import storage/ too, and are not reported.
      lines: [
        'src/config/index.ts:1 imports src/storage/users.ts',
        'src/html/page.ts:1 imports src/storage/users.ts',
        'src/permissions/index.ts:2 imports src/storage/users.ts',
        'src/routes/users.ts:1 imports src/storage/users.ts',
      ],
    },
    {
      fixture: 'crypto-impure',
      rule: 'crypto is pure',
      fix: 'take what crypto/ needs as arguments',
      // jose, @noble/hashes and ./encoding are allowed.
      lines: [
        'src/crypto/jwt.ts:2 imports drizzle-orm',
        'src/crypto/jwt.ts:3 imports hono/http-exception',
        'src/crypto/jwt.ts:5 imports src/config/keys.ts',
      ],
    },
    {
      fixture: 'storage-use-case',
      rule: 'storage knows no use case',
      fix: 'move the type or function storage/ needs down',
      lines: [
        'src/storage/d1/users.ts:1 imports type from src/auth/types.ts',
        'src/storage/d1/users.ts:2 imports src/services/users.ts',
      ],
    },
    {
      fixture: 'http-auth',
      rule: 'http knows no authentication class',
      fix: 'move what http/ needs into http/ or errors.ts',
      lines: [
        'src/http/errors.ts:1 imports src/auth/errors.ts',
        'src/http/errors.ts:2 imports src/permissions/index.ts',
      ],
    },
    {
      fixture: 'type-only',
      rule: 'http knows no authentication class',
      fix: 'move what http/ needs into http/ or errors.ts',
      // `import type`, `import { type X }` and an `import('…').X` type each count.
      lines: [
        'src/http/cookies.ts:1 imports type from src/auth/types.ts',
        'src/http/errors.ts:1 imports type from src/auth/types.ts',
        'src/http/headers.ts:1 imports type from src/auth/types.ts',
      ],
    },
    {
      fixture: 'services-http',
      rule: 'services are plain',
      fix: 'return a domain result or throw a domain error',
      lines: [
        'src/services/login.ts:1 imports type from hono',
        'src/services/login.ts:2 imports hono/http-exception',
        'src/services/login.ts:3 imports src/http/json.ts',
        'src/services/login.ts:4 imports type from src/routes/login.ts',
      ],
    },
    {
      fixture: 'node-builtins',
      rule: 'Web APIs only',
      fix: 'use the Web API',
      // A `/// <reference types="node" />`, a `node:` specifier and a bare built-in.
      lines: [
        'src/env.ts:1 imports type from node',
        'src/services/hash.ts:1 imports node:crypto',
        'src/storage/file.ts:1 imports fs/promises',
      ],
    },
    {
      fixture: 'unresolved',
      rule: 'every import is checkable',
      fix: 'import a literal path to a file of src/, or a package',
      lines: [
        'src/routes/site.ts:1 imports package.json: the file is outside src/',
        'src/routes/site.ts:2 imports ./missing: no such file',
        'src/routes/site.ts:5 imports (a computed specifier): the specifier is computed',
      ],
    },
  ])('fails on $fixture, naming each import that breaks $rule', async (c) => {
    const run = await check(c.fixture);
    expect(run.status).toBe(1);
    expect(reported(run.output)).toEqual(c.lines);
    const blocks = run.output.split('\n\n').filter((block) => block.includes('\n  rule: '));
    for (const block of blocks) {
      expect(block).toContain(`\n  rule: ${c.rule}: `);
      expect(block).toContain(`\n  fix: ${c.fix}`);
    }
    expect(run.output).toMatch(
      new RegExp(`\\nlayering: \\d+ files?, \\d+ imports?, ${c.lines.length} violations?\\n$`),
    );
  });

  it('fails on a cycle between folders and top-level files, with one import per edge', async () => {
    // config/index.ts → config/defaults.ts stays inside one node and is no cycle.
    const run = await check('cycle');
    expect(run.status).toBe(1);
    expect(run.output).toBe(
      [
        'cycle config → validation → errors.ts → config',
        '  config → validation: src/config/index.ts:1 imports src/validation/username.ts',
        '  validation → errors.ts: src/validation/username.ts:1 imports src/errors.ts',
        '  errors.ts → config: src/errors.ts:1 imports type from src/config/index.ts',
        '  rule: no cycles between folders: the graph of folders and top-level files of src/ has no cycle',
        '  fix: remove one edge: move the shared code into the lower node, or pass it in as an argument',
        '',
        'layering: 4 files, 4 imports, 1 violation',
        '',
      ].join('\n'),
    );
  });

  it('refuses a root without a src/ folder with status 1', async () => {
    const run = await check('no-such-case');
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^Error: no src\/ folder in .*no-such-case\n$/);
  });

  it('refuses an unknown option with the usage and status 2', async () => {
    const run = await runScript('check-layers', ['--fix']);
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/^Error: Unknown option '--fix'/);
    expect(run.output).toContain('--root DIR');
  });
});
