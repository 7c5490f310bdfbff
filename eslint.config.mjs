// Small, sane lint config: typescript-eslint's recommended rules on our sources, tests and benches.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'test-output/**', 'commit-corpus-out/**', 'bench/.work/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        globalThis: 'readonly',
        WebAssembly: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // the one label is TEST_AIDS: statements the shipped bundles drop (esbuild dropLabels); no other labels
      'no-unused-labels': 'off',
      'no-restricted-syntax': ['error', { selector: "LabeledStatement[label.name!='TEST_AIDS']", message: 'Labels are reserved for TEST_AIDS (statements left out of the shipped bundles).' }],
    },
  },
  {
    // a function of the engine fits on a screen or two
    files: ['src/core/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120 }] },
  },
  {
    // Boundaries: the engine (src/core) depends on nothing of its shells; the CLI and the editor's worker depend on the
    // engine, never on the extension host's code; none of them on vscode.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must not depend on vscode.' }],
          patterns: [{ group: ['**/extension/**', '**/worker/**', '**/cli/**', '**/webview/**'], message: 'src/core is the engine: it must not import its shells (extension, worker, cli, webview).' }],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/cli and src/worker must not depend on vscode.' }],
          patterns: [{ group: ['**/extension/**'], message: 'src/cli and src/worker run without the extension host: they must not import src/extension.' }],
        },
      ],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', acquireVsCodeApi: 'readonly' } },
  },
);
