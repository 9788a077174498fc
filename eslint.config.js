import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', 'openapi/**', '.vitest/**', 'build/**', 'test/.generated/**'] }),
  {
    // neostandard registers the typescript-eslint plugin for TypeScript files only.
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }]
    }
  }
]
