import { execFile } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { createClient } from '@hey-api/openapi-ts'
import { beforeAll, describe, expect, test } from 'vitest'
import { listen } from '../support/helper.ts'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url)
const out = new URL('test/.generated/sdk/', root)
const spec = new URL('openapi/openapi.json', root).pathname

/**
 * The committed OpenAPI document must make a good SDK: binary operations typed as Blob, the JSON
 * operation as an object, and the generated client must work against a live server.
 */
describe('a TypeScript SDK generated from openapi/openapi.json (@hey-api/openapi-ts)', () => {
  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true })
    await createClient({
      input: spec,
      output: { path: out.pathname },
      plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
      logs: { level: 'silent' }
    })
  }, 60_000)

  test('types binary tensors as Blob and JSON tensors as objects (tsc on a usage file)', async () => {
    const usage = new URL('usage.ts', out)
    writeFileSync(usage, [
      "import { getTensor, getTensorJson, createTensor } from './sdk.gen.ts'",
      "import type { JsonTensor } from './types.gen.ts'",
      'export async function use (): Promise<number> {',
      "  const binary = await getTensor({ path: { id: 'uniform' }, query: { shape: '2,2' }, throwOnError: true })",
      '  const blob: Blob = binary.data',
      "  const json = await getTensorJson({ path: { id: 'uniform' }, query: { shape: '2,2' }, throwOnError: true })",
      '  const doc: JsonTensor = json.data',
      "  const posted = await createTensor({ body: { initializer: 'uniform', shape: [2, 2], format: 'npy' }, throwOnError: true })",
      '  const blob2: Blob = posted.data',
      '  return blob.size + blob2.size + doc.shape.length',
      '}',
      ''
    ].join('\n'))
    const tsconfig = new URL('tsconfig.json', out)
    writeFileSync(tsconfig, JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: []
      },
      files: ['usage.ts']
    }))
    const tsc = new URL('node_modules/.bin/tsc', root).pathname
    await expect(run(tsc, ['-p', tsconfig.pathname])).resolves.toBeDefined()
  }, 60_000)

  test('fetches a binary tensor (Blob) and a JSON tensor (object) from a live server', async () => {
    const { origin } = await listen()
    const sdk = await import(new URL('sdk.gen.ts', out).href)
    const { client } = await import(new URL('client.gen.ts', out).href)
    client.setConfig({ baseUrl: origin })

    const binary = await sdk.getTensor({
      path: { id: 'he_uniform' },
      query: { shape: '8,4', seed: '5', format: 'npy', params: { mode: 'fan_out' } }
    })
    expect(binary.response.status).toBe(200)
    expect(binary.data).toBeInstanceOf(Blob)
    const bytes = Buffer.from(await (binary.data as Blob).arrayBuffer())
    const direct = await fetch(`${origin}/v1/tensors/he_uniform?shape=8,4&seed=5&format=npy&mode=fan_out`)
    expect(bytes.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true)
    expect(binary.response.headers.get('x-tensor-params')).toBe('{"gain":1,"mode":"fan_out"}')

    const json = await sdk.getTensorJson({ path: { id: 'he_uniform' }, query: { shape: '8,4', seed: '5', params: { mode: 'fan_out' } } })
    expect(json.response.status).toBe(200)
    expect(json.data).toMatchObject({ shape: [8, 4], dtype: 'float32', profile: 'mlx-0.32' })
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset + bytes.length - 128, bytes.byteOffset + bytes.length))
    expect((json.data.data as number[][]).flat().map(Math.fround)).toEqual(Array.from(floats))

    const posted = await sdk.createTensor({ body: { initializer: 'he_uniform', shape: [8, 4], seed: 5, params: { mode: 'fan_out' }, format: 'npy' } })
    expect(Buffer.from(await (posted.data as Blob).arrayBuffer()).equals(bytes)).toBe(true)

    const problem = await sdk.getTensor({ path: { id: 'nope' }, query: { shape: '2' } })
    expect(problem.response.status).toBe(404)
    expect(problem.error).toMatchObject({ code: 'unknown-initializer' })
  })
})
