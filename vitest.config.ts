import { defineConfig } from 'vitest/config'

// The JSON report feeds .ci/run's closing "N passed, N failed" line (vitest prints none itself).
//
// Two groups, one after the other: the unit and integration tests (two files at a time on this
// 2-core machine), then test/hostile/ one file at a time. The hostile tests measure the service
// under load (RSS of a server process, /healthz latency while it works): with another test file
// sharing the two cores they would measure that file too.
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/hostile/**'], sequence: { groupOrder: 0 } }
      },
      {
        extends: true,
        test: { name: 'hostile', include: ['test/hostile/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 1 } }
      }
    ]
  }
})
