import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { ENV_SCHEMA } from '../../src/config.ts'
import { useApp } from '../support/helper.ts'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const getApp = useApp()

interface Curl { method: 'GET' | 'HEAD' | 'POST', url: string, headers: Record<string, string>, body?: string }

/** The README's curl commands (continuation lines joined), as requests to replay. */
function curls (): Curl[] {
  const block = readme.split('## Fetching tensors')[1]?.split('```sh')[1]?.split('```')[0] ?? ''
  const lines = block.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.startsWith('curl '))
  return lines.map((line) => {
    const url = /localhost:8080(\/[^'\s]*)/.exec(line)?.[1] ?? ''
    const headers: Record<string, string> = {}
    for (const [, name, value] of line.matchAll(/-H '([^:]+): ([^']*)'/g)) headers[(name as string).toLowerCase()] = value as string
    const body = /-d '([^']*)'/.exec(line)?.[1]
    const method = body !== undefined ? 'POST' : /\s-s?I\s/.test(line) ? 'HEAD' : 'GET'
    return { method, url, headers, ...(body === undefined ? {} : { body }) }
  })
}

describe('README', () => {
  test('every curl example works against the service', async () => {
    const examples = curls()
    expect(examples.length).toBeGreaterThanOrEqual(12)
    for (const example of examples) {
      const res = await getApp().app.inject({
        method: example.method,
        url: example.url,
        headers: example.headers,
        ...(example.body === undefined ? {} : { payload: example.body })
      })
      expect([200, 206], `${example.method} ${example.url}: ${res.body.slice(0, 300)}`).toContain(res.statusCode)
    }
  }, 60_000)

  test('the configuration table lists every variable the service reads, with its default', () => {
    const table = readme.split('## Configuration')[1] ?? ''
    for (const [name, schema] of Object.entries(ENV_SCHEMA.properties)) {
      const row = table.split('\n').find((l) => l.startsWith(`| \`${name}\``))
      expect(row, name).toBeDefined()
      const fallback = (schema as { default?: unknown }).default
      if (fallback !== undefined) expect(row, name).toContain(`\`${String(fallback)}\``)
    }
  })

  test('keeps its two commands', () => {
    expect(readme).toContain('npm ci && npm start   # serves on http://localhost:8080 with the embedded CPU engine')
    expect(readme).toContain('npm test              # the whole test suite')
  })
})
