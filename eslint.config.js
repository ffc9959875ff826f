// The lint step (`npm run lint`, run by .ci/run). Deliberately small: the rules that catch
// bugs the type checker does not — promises nobody awaits, promises handed to callbacks that
// ignore them — and the layering rule that keeps every package reachable only by its name.
// Import cycles are checked by tools/check-cycles.mjs (faster than a type-aware lint rule).
import tseslint from 'typescript-eslint';

// Any relative path that walks into another package's folder: `../../packages/core/src/…`
// from tests and tools, `../../core/src/…` from inside a package.
const intoAnotherPackage = [
  {
    regex: '(^|/)packages/[^/]+/(src|dist)(/|$)',
    message: 'Import the package by name (@carrier/…, or @carrier/…/testing for test helpers), never its src/ or dist/ path.',
  },
  {
    regex: '^(\\.\\./)+[a-z0-9-]+/(src|dist)(/|$)',
    message: 'Import the package by name (@carrier/…), never another package\'s src/ path.',
  },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.tools/**', 'data/**', 'tmp/**', 'art/**', 'config/**'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // One program for the whole tree (tests, tools and scripts included): far faster
        // than a program per package, and it is the program `npm run typecheck` checks.
        project: ['./tsconfig.check.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs these itself and reports their failures.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: true, attributes: false } }],
      'no-restricted-imports': ['error', { patterns: intoAnotherPackage }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { sourceType: 'module', ecmaVersion: 2023 },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'no-restricted-imports': ['error', { patterns: intoAnotherPackage }],
    },
  },
);
