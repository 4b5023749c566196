// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'console',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'querystring',
  'readline',
  'stream',
  'string_decoder',
  'timers',
  'tls',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.wrangler/',
      '.toolchain/',
      'migrations/',
      'test-results/',
      'bench/out/',
      'dist/',
      'coverage/',
      // Inputs of scripts/check-layers.ts's tests: trees that break the layering on purpose.
      'test/fixtures/layers/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      complexity: ['error', 12],
      'max-lines': ['warn', { max: 350, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Tests read as specifications; a feature's cases stay in one file.
    files: ['test/**/*.ts'],
    rules: { 'max-lines': ['warn', { max: 800, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: [
      'scripts/**/*.{js,mjs,ts}',
      'test/cli/**/*.ts',
      'e2e/**/*.ts',
      'bench/**/*.{ts,mjs}',
      '*.config.{js,ts}',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Plain-JavaScript Workers that the test Miniflare runs as they are (fakes of outside APIs).
    files: ['test/fake-*/**/*.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    // The Worker runs with no Node.js compatibility and on Deno: Web APIs only.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['node:*'], message: 'src/ runs without Node.js: use Web APIs.' }],
          paths: NODE_BUILTINS.map((name) => ({
            name,
            message: 'src/ runs without Node.js: use Web APIs.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/ runs without Node.js: settings come from env.' },
        { name: 'Buffer', message: 'src/ runs without Node.js: use Uint8Array.' },
        { name: 'require', message: 'src/ is ES modules.' },
        { name: '__dirname', message: 'src/ runs without Node.js.' },
      ],
    },
  },
);
