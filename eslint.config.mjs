// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** app/ and renderer/ know nothing of Electron: require() and import() of it are refused too. */
const NO_ELECTRON_SYNTAX = [
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value=/^electron(\\/|$)/]",
    message: 'Only main/ may require electron: app/ and renderer/ stay host-agnostic.',
  },
  {
    selector: 'ImportExpression[source.value=/^electron(\\/|$)/]',
    message: 'Only main/ may import electron: app/ and renderer/ stay host-agnostic.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The engine and the renderer know nothing of Electron.
    files: ['app/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only main/ may import electron: app/ and renderer/ stay host-agnostic.',
            },
          ],
          patterns: [{ group: ['electron/*'], message: 'Only main/ may import electron.' }],
        },
      ],
      // no-restricted-imports sees static imports only: also ban require() and import().
      'no-restricted-syntax': ['error', ...NO_ELECTRON_SYNTAX],
    },
  },
  {
    // One place changes a document's state: the lifecycle's named moves (issue 13); the engine's
    // user actions use its clerk's moves (retry, cancel, undoCancel, sendAnyway, reroute).
    files: ['app/**/*.ts'],
    ignores: [
      // The lifecycle's mechanics: its named moves (app/queue/lifecycle/) record through it.
      'app/queue/lifecycle/core.ts',
      'app/store/documents-repo.ts',
    ],
    rules: {
      // Repeats the electron selectors: a later block's options replace an earlier block's.
      'no-restricted-syntax': [
        'error',
        ...NO_ELECTRON_SYNTAX,
        {
          selector:
            "CallExpression[callee.type='MemberExpression'][callee.property.name='transition']",
          message:
            "A document's state changes only through a named move of app/queue/lifecycle/ (markInvalid, accept, retryLater, ...): it records the timeline, emits the change and wakes the stages.",
        },
      ],
    },
  },
  {
    // No import cycles (type-only imports included): each module's dependencies form a tree a
    // newcomer can follow from the contract upwards.
    files: ['app/**/*.ts', 'main/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.cjs', 'test/**/*.mjs', 'test/**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
