// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'reports/**', 'test-results/**', 'allure-results/**', '**/*.k6.js', 'perf/k6/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS files: an application's own settings (examples/node-red/settings.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // Only src/cli prints and exits (STYLE.md §6, §7).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error',
        { object: 'process', property: 'exit', message: 'Only src/cli exits.' },
        { object: 'process', property: 'stdout', message: 'Only src/cli prints.' },
      ],
    },
  },
  {
    // The environment is read once, by the config loader and the CLI, into the run settings
    // (`settings.env`); stages and libraries take it from there. Exceptions, each for a reason:
    // the entry points of the Playwright child process (their env is their input), and the
    // per-process plumbing that is not run configuration (which Chromium binary and sandbox,
    // where this machine's owned-process registry lives).
    files: ['src/**/*.ts'],
    ignores: [
      'src/cli/**', 'src/config/**', 'src/**/*.test.ts', 'src/**/_*.ts',
      'src/playwright/bridge-reporter.ts', 'src/playwright/config.ts', 'src/playwright/target-env.ts',
      'src/platform/browser.ts', 'src/platform/reaper.ts',
    ],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'process', property: 'exit', message: 'Only src/cli exits.' },
        { object: 'process', property: 'stdout', message: 'Only src/cli prints.' },
        { object: 'process', property: 'env', message: 'Read the run environment from settings.env (or a parameter): only the config loader and the CLI read process.env.' },
      ],
    },
  },
);
