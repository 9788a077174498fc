import { defineConfig } from 'vitest/config'

// The JSON report feeds .ci/run's closing "N passed, N failed" line (vitest prints none itself).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]]
  }
})
