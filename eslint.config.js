// ESLint flat config: the recommended JavaScript and TypeScript rules over the sources, tests,
// benchmarks and scripts. Formatting is Prettier's job (npm run format), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/out/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node and browsers both: the runtime and profile code run in either.
        console: 'readonly',
        process: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        SharedArrayBuffer: 'readonly',
        Atomics: 'readonly',
        WebAssembly: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        Buffer: 'readonly',
        self: 'readonly',
        globalThis: 'readonly',
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        Worker: 'readonly',
        MessageChannel: 'readonly',
        location: 'readonly',
        navigator: 'readonly',
        requestAnimationFrame: 'readonly',
        HTMLElement: 'readonly',
        __dirname: 'readonly',
        Blob: 'readonly',
        AbortController: 'readonly',
        crypto: 'readonly',
        EventSource: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      // `_name` marks a parameter or binding kept for its position or documentation.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
);
