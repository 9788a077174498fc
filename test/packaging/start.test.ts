import { execFile } from 'node:child_process'
import { statSync, utimesSync } from 'node:fs'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

/**
 * Issue 13: `npm start` recompiled TypeScript on every start. It now runs scripts/build-ts.mjs,
 * which compiles only when an input (src/, the tsconfig files, package.json) is newer than
 * dist/.build-stamp. Checked by the stamp: it is rewritten exactly when a compile ran.
 */
const run = promisify(execFile)
const root = new URL('../../', import.meta.url)
const script = new URL('scripts/build-ts.mjs', root).pathname
const stamp = new URL('dist/.build-stamp', root).pathname
const serverJs = new URL('dist/server.js', root).pathname
const mtime = (path: string): number => statSync(path).mtimeMs

test('build-ts compiles when dist/ is older than its inputs, and skips when it is current', async () => {
  // Whatever state dist/ is in, after one run it is current.
  await run(process.execPath, [script], { cwd: root.pathname })
  const built = mtime(stamp)
  expect(mtime(serverJs)).toBeGreaterThan(0)
  // Current: a second run compiles nothing (the stamp and the output keep their times).
  const output = mtime(serverJs)
  await run(process.execPath, [script], { cwd: root.pathname })
  expect(mtime(stamp)).toBe(built)
  expect(mtime(serverJs)).toBe(output)
  // Stale (the stamp older than the sources): it compiles again and renews the stamp.
  utimesSync(stamp, new Date(0), new Date(0))
  await run(process.execPath, [script], { cwd: root.pathname })
  expect(mtime(stamp)).toBeGreaterThanOrEqual(built)
}, 120_000)

test('npm start builds only what is stale before starting the server', async () => {
  const { scripts } = (await import('../../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string> }
  expect(scripts.start).toBe('npm run build:wasm --silent && node scripts/build-ts.mjs && node dist/server.js')
})
