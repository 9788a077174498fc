// Prints CI's closing line "N passed, N failed[, N skipped]" from vitest's JSON report.
// A test file that fails without a failed test (it did not load, or a hook threw) counts as one
// failure: otherwise a suite that never ran would vanish from the count.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(process.argv[2] ?? '.vitest/report.json', 'utf8'))
let failed = report.numFailedTests
for (const file of report.testResults) {
  const failedTests = file.assertionResults.filter((a) => a.status === 'failed').length
  if (file.status === 'failed' && failedTests === 0) {
    failed++
    console.error(`failed suite: ${file.name}: ${String(file.message).split('\n')[0]}`)
  }
}
const skipped = report.numPendingTests + report.numTodoTests
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
process.exitCode = failed > 0 ? 1 : 0
