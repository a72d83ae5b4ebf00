// ESLint (flat config): ESLint's and typescript-eslint's recommended rules over the TypeScript sources.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tap/', 'tests/fixtures/', 'deploy/npm-stubs/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // protobufjs decodes into untyped dynamic messages: the comparison decoder reads them as they come.
    files: ['bench/protobufjs-decoder.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The MCP tools summarize the query API's JSON answers, which they read untyped.
    files: ['src/mcp/tools.ts', 'tests/mcp/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    rules: {
      // `_`-prefixed names are deliberately unused (callback parameters an interface requires).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
