// ESLint (flat config): typescript-eslint recommended plus type-aware rules for promises nobody
// awaits and code nobody uses. Run by `npm test` (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const node = {
  require: 'readonly',
  module: 'writable',
  process: 'readonly',
  __dirname: 'readonly',
  __filename: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  setTimeout: 'readonly',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'coverage/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      // A listener set once the app is built, read by a closure declared before.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The project's own tests read JSON answers freely.
    files: ['test/**', 'reference/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { sourceType: 'commonjs', globals: node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    // Settings are a value: only the entry points read the process environment
    // (bin/placeos-contract.js for the suite, reference/src/cli.ts for `npm run target`).
    files: ['helpers/**', 'runner/**', 'specs/**', 'reference/src/**', 'schemas/**'],
    ignores: ['reference/src/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'only the entry point reads process.env: take the settings (or the environment) as a parameter' },
      ],
    },
  },
  {
    // helpers/ is what checks use (the kit among it): it never reaches up into the checks or the program.
    files: ['helpers/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/specs/**', '**/runner/**', '../specs', '../runner', '../../specs', '../../runner'],
              message: 'helpers/ may not import specs/ or runner/',
            },
          ],
        },
      ],
    },
  },
);
