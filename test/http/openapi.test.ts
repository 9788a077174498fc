import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { validate } from '@readme/openapi-parser'
import { describe, expect, test } from 'vitest'
import { OPENAPI_FILE, renderOpenapi } from '../../scripts/export-openapi.ts'
import { useApp } from '../support/helper.ts'

const run = promisify(execFile)
const getApp = useApp()
const committed = (): string => readFileSync(OPENAPI_FILE, 'utf8')

interface Operation { operationId?: string, summary?: string, responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }

function operations (document: { paths: Record<string, Record<string, Operation>> }): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]))
}

describe('openapi/openapi.json', () => {
  test('is what the running app serves (run `npm run openapi` after changing a route or schema)', async () => {
    const { app } = getApp()
    const served = await app.inject('/openapi.json')
    expect(served.statusCode).toBe(200)
    expect(served.json()).toEqual(app.swagger())
    expect(committed(), 'openapi/openapi.json is stale: run npm run openapi').toBe(renderOpenapi(app.swagger()))
  })

  test('passes redocly lint (recommended-strict plus stricter rules) with zero problems', async () => {
    const bin = new URL('../../node_modules/.bin/redocly', import.meta.url).pathname
    const config = new URL('../../openapi/redocly.yaml', import.meta.url).pathname
    const { stdout, stderr } = await run(bin, ['lint', OPENAPI_FILE.pathname, '--config', config, '--format', 'stylish'], { env: { ...process.env, NO_COLOR: '1' } })
    expect(`${stdout}\n${stderr}`).toContain('Your API description is valid')
  })

  test('passes @readme/openapi-parser validation', async () => {
    const result = await validate(JSON.parse(committed()))
    expect(result.valid, JSON.stringify(result)).toBe(true)
    expect(result.specification).toBe('OpenAPI')
  })

  test('OpenAPI 3.1, public (security: []), a server, named schemas', () => {
    const document = JSON.parse(committed())
    expect(document.openapi).toBe('3.1.0')
    expect(document.security).toEqual([])
    expect(document.servers).toHaveLength(1)
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'CheckpointRequest', 'EngineInfo', 'Health', 'Initializer', 'InitializerList', 'JsonTensor', 'JsonTensorRequest',
      'Problem', 'ProblemType', 'Readiness', 'TensorRequest'
    ])
  })

  test('every operation has an id, a summary and a problem+json 4xx response', () => {
    const ops = operations(JSON.parse(committed()))
    expect(ops.length).toBeGreaterThanOrEqual(12)
    for (const [name, op] of ops) {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/)
      expect(op.summary, name).toMatch(/\S/)
      expect(op.responses['4XX']?.content?.['application/problem+json']?.schema, name).toEqual({ $ref: '#/components/schemas/Problem' })
    }
  })

  test('binary operations type their bodies as binary; JSON is a separate operation with an object schema', () => {
    const document = JSON.parse(committed())
    const binary = { type: 'string', format: 'binary' }
    for (const op of [document.paths['/v1/tensors/{id}'].get, document.paths['/v1/tensors'].post]) {
      const content = op.responses['200'].content
      expect(Object.keys(content)).toEqual(['application/octet-stream', 'application/x-npy', 'application/vnd.safetensors'])
      for (const media of Object.values(content) as Array<{ schema: unknown }>) expect(media.schema).toEqual(binary)
    }
    for (const op of [document.paths['/v1/tensors/{id}/json'].get, document.paths['/v1/tensors/json'].post]) {
      expect(op.responses['200'].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/JsonTensor' } } })
    }
    expect(document.paths['/v1/tensors/{id}'].head.operationId).toBe('headTensor')
  })
})
