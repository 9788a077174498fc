import { readFileSync } from 'node:fs'
import semver from 'semver'
import { expect, test } from 'vitest'

/**
 * Issue 13: `npm ci` on Node 20.20 printed EBADENGINE warnings (content-disposition@3 through
 * @fastify/static, cookie@2 through light-my-request want Node >= 22) although the README
 * promises Node >= 20.19. package.json's `overrides` pin those two to the newest lines that
 * support Node 20 with the same API (content-disposition 2.0.0 `create`, cookie 1.1.1
 * `stringifySetCookie`, what the dependents call). This reads the lockfile npm ci installs from:
 * every installed package's `engines.node` must admit the oldest Node the project supports, so a
 * dependency update that reintroduces the warning fails here.
 */
const root = new URL('../../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string, engines?: unknown, optional?: boolean }>
}

test('the oldest supported Node is the one package.json names', () => {
  expect(semver.minVersion(manifest.engines.node)?.version).toBe('20.19.0')
})

test('every package npm ci installs supports the oldest supported Node (no EBADENGINE)', () => {
  const oldest = semver.minVersion(manifest.engines.node)!.version
  const refused: string[] = []
  let checked = 0
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue
    // engines may be an object or (in old packages) an array of strings; npm checks only the object form.
    const engines = entry.engines
    if (engines === null || typeof engines !== 'object' || Array.isArray(engines)) continue
    const node = (engines as { node?: string }).node
    if (node === undefined) continue
    checked++
    if (!semver.satisfies(oldest, node, { includePrerelease: true })) refused.push(`${path}@${entry.version ?? '?'} wants node ${node}`)
  }
  expect(checked).toBeGreaterThan(100)
  expect(refused).toEqual([])
})
