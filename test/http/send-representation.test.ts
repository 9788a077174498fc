import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { request } from 'undici'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { StreamOptions } from '../../src/engines/engine.ts'
import type { ByteRange } from '../../src/formats/byte-range.ts'
import { AdmissionBudget } from '../../src/http/admission.ts'
import type { ServiceContext } from '../../src/http/context.ts'
import { installErrorHandlers } from '../../src/http/error-handler.ts'
import { createMetrics } from '../../src/http/metrics.ts'
import { IMMUTABLE, type Representation } from '../../src/http/representation.ts'
import { METHOD_SEMANTICS, SMALL_BODY_BYTES, sendRepresentation, type Method } from '../../src/http/send-representation.ts'
import { SendWatchdog } from '../../src/http/send-watchdog.ts'
import { build } from '../support/helper.ts'
import { InlineEngine } from '../support/inline-engine.ts'

/**
 * The one pipeline every representation goes through (src/http/send-representation.ts), first on
 * representations made up here, so each rule is visible on its own, then on the service's own:
 * binary tensors, JSON tensors and checkpoints follow the same rules because they share it.
 */

const TAG = '"made-up"'

interface Opened { range: ByteRange | undefined, signal: boolean, recycler: boolean }

interface MadeUp {
  rep: Representation
  /** Each call of `stream`, with what it was given. */
  opened: Opened[]
  nowCalls: number
}

function bytes (n: number): Buffer {
  const body = Buffer.alloc(n)
  for (let i = 0; i < n; i++) body[i] = (i * 7 + 3) & 0xff
  return body
}

/** A representation of `body`, in 1000-byte chunks; `sized` says whether its length is known up front. */
function madeUp (body: Buffer, options: { sized: boolean, now?: boolean }): MadeUp {
  const made: MadeUp = { opened: [], nowCalls: 0, rep: undefined as unknown as Representation }
  const slice = (range: ByteRange | undefined): Buffer => range === undefined ? body : body.subarray(range.first, range.last + 1)
  made.rep = {
    format: 'raw',
    etag: TAG,
    headers: { 'content-type': 'application/octet-stream', etag: TAG, 'cache-control': IMMUTABLE, vary: 'Accept', 'accept-ranges': 'bytes', 'x-made-up': 'yes' },
    length: options.sized ? body.length : undefined,
    noun: 'made-up body',
    stream: async function * (range: ByteRange | undefined, streamOptions: StreamOptions) {
      made.opened.push({ range, signal: streamOptions.signal !== undefined, recycler: streamOptions.recycler !== undefined })
      const part = slice(range)
      for (let i = 0; i < part.length; i += 1000) yield part.subarray(i, i + 1000)
    },
    ...(options.now === true ? { now: (range: ByteRange | undefined) => { made.nowCalls++; return Buffer.from(slice(range)) } } : {})
  }
  return made
}

/** A bare fastify app answering GET, HEAD and POST /made-up with `make()`'s representation. */
async function serve (make: () => Representation): Promise<{ app: FastifyInstance, ctx: ServiceContext, origin: string }> {
  const engine = new InlineEngine()
  const ctx: ServiceContext = {
    engine,
    limits: { maxElements: 1, maxBytes: 1, maxRank: 1, maxDraw: 1, jsonMaxElements: 1 },
    version: 'test',
    metrics: createMetrics(engine),
    admission: new AdmissionBudget({ maxStreams: 256, maxBufferedBytes: 256 * 2 ** 20 }),
    sendWatchdog: new SendWatchdog(60_000, () => {})
  }
  const app = Fastify({ logger: false })
  installErrorHandlers(app)
  // HEAD before GET: fastify would otherwise add a HEAD route of its own that runs the GET.
  for (const method of ['HEAD', 'GET', 'POST'] as Method[]) {
    app.route({ method, url: '/made-up', handler: async (req, reply) => await sendRepresentation(ctx, req, reply, make(), METHOD_SEMANTICS[method]) })
  }
  onTestFinished(async () => {
    await app.close()
    await engine.close()
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, ctx, origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

async function counter (ctx: ServiceContext, name: string): Promise<number> {
  const metric = await ctx.metrics.registry.getSingleMetric(name)?.get()
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0
}

describe('sendRepresentation on a representation of known length', () => {
  test('a small body is taken from `now` when it can be, else collected from one plain stream; one buffer either way', async () => {
    const body = bytes(SMALL_BODY_BYTES)
    const fast = madeUp(body, { sized: true, now: true })
    const slow = madeUp(body, { sized: true })
    let which = fast
    const { app, ctx } = await serve(() => which.rep)
    const viaNow = await app.inject('/made-up')
    expect(viaNow.statusCode).toBe(200)
    expect(viaNow.rawPayload).toEqual(body)
    expect(viaNow.headers).toMatchObject({ 'content-length': String(body.length), etag: TAG, 'x-made-up': 'yes' })
    expect([fast.nowCalls, fast.opened.length]).toEqual([1, 0])

    which = slow
    const viaStream = await app.inject({ url: '/made-up', headers: { range: 'bytes=10-2009' } })
    expect(viaStream.statusCode).toBe(206)
    expect(viaStream.headers['content-range']).toBe(`bytes 10-2009/${body.length}`)
    expect(viaStream.rawPayload).toEqual(body.subarray(10, 2010))
    // No signal and no recycler: the small path listens for nothing and reuses nothing.
    expect(slow.opened).toEqual([{ range: { first: 10, last: 2009 }, signal: false, recycler: false }])
    expect(await counter(ctx, 'tensor_bytes_streamed_total')).toBe(body.length + 2000)
  })

  test('a larger body streams with the client-gone signal and a recycler, and counts as a stream while it lasts', async () => {
    const body = bytes(SMALL_BODY_BYTES + 1)
    const made = madeUp(body, { sized: true, now: true })
    const { origin, ctx } = await serve(() => made.rep)
    const res = await request(`${origin}/made-up`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-length']).toBe(String(body.length))
    expect(Buffer.from(await res.body.arrayBuffer())).toEqual(body)
    expect(made.nowCalls).toBe(0)
    expect(made.opened).toEqual([{ range: undefined, signal: true, recycler: true }])
    expect(await counter(ctx, 'tensor_bytes_streamed_total')).toBe(body.length)
    await expect.poll(async () => await counter(ctx, 'tensor_streams_active')).toBe(0)
  })

  test('HEAD sends the GET\'s header fields with the full length and produces nothing; POST ignores Range and preconditions', async () => {
    const body = bytes(5000)
    const made = madeUp(body, { sized: true, now: true })
    const { app } = await serve(() => made.rep)
    const head = await app.inject({ method: 'HEAD', url: '/made-up', headers: { range: 'bytes=0-9' } })
    expect(head.statusCode).toBe(200)
    expect(head.headers).toMatchObject({ 'content-length': '5000', etag: TAG, 'x-made-up': 'yes' })
    expect(head.headers['content-range']).toBeUndefined()
    expect([made.nowCalls, made.opened.length]).toEqual([0, 0])

    const post = await app.inject({ method: 'POST', url: '/made-up', headers: { range: 'bytes=0-9', 'if-match': '"other"', 'if-none-match': TAG } })
    expect(post.statusCode).toBe(200)
    expect(post.rawPayload).toEqual(body)
  })

  test('preconditions come first (412, then 304 with the caching fields only), then Range: 416 names the body', async () => {
    const made = madeUp(bytes(100), { sized: true, now: true })
    const { app } = await serve(() => made.rep)
    const failed = await app.inject({ url: '/made-up', headers: { 'if-match': '"other"', 'if-none-match': TAG, range: 'bytes=500-' } })
    expect(failed.statusCode).toBe(412)
    expect(failed.json()).toMatchObject({ code: 'precondition-failed', field: '/headers/if-match' })
    const notModified = await app.inject({ url: '/made-up', headers: { 'if-none-match': TAG, range: 'bytes=500-' } })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.headers).toMatchObject({ etag: TAG, 'cache-control': IMMUTABLE, vary: 'Accept' })
    expect(notModified.headers['x-made-up']).toBeUndefined()
    const unsatisfiable = await app.inject({ url: '/made-up', headers: { range: 'bytes=500-' } })
    expect(unsatisfiable.statusCode).toBe(416)
    expect(unsatisfiable.headers['content-range']).toBe('bytes */100')
    expect(unsatisfiable.json()).toMatchObject({ code: 'range-not-satisfiable', detail: 'The range bytes=500- does not overlap the 100-byte made-up body.' })
    expect([made.nowCalls, made.opened.length]).toEqual([0, 0])
  })
})

describe('sendRepresentation on a representation of unknown length', () => {
  test('HEAD omits Content-Length (RFC 9110 §9.3.2); GET ignores Range and builds the body whole under the client-gone signal', async () => {
    const body = bytes(3 * SMALL_BODY_BYTES)
    const made = madeUp(body, { sized: false })
    const { app, ctx } = await serve(() => made.rep)
    const head = await app.inject({ method: 'HEAD', url: '/made-up' })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-length']).toBeUndefined()
    expect(head.headers).toMatchObject({ etag: TAG, 'x-made-up': 'yes' })
    expect(made.opened).toEqual([])

    const get = await app.inject({ url: '/made-up', headers: { range: 'bytes=0-9' } })
    expect(get.statusCode).toBe(200)
    expect(get.headers['content-range']).toBeUndefined()
    expect(get.rawPayload).toEqual(body)
    expect(made.opened).toEqual([{ range: undefined, signal: true, recycler: false }])
    expect(await counter(ctx, 'tensor_bytes_streamed_total')).toBe(body.length)
    expect(await counter(ctx, 'tensor_streams_active')).toBe(0)
  })

  test('a failure while the body is built is a problem response carrying none of the representation\'s fields', async () => {
    const made = madeUp(bytes(10), { sized: false })
    made.rep = { ...made.rep, stream: async function * () { yield * []; throw new Error('engine gone') } }
    const { app } = await serve(() => made.rep)
    const res = await app.inject('/made-up')
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers.etag).toBeUndefined()
    expect(res.headers['x-made-up']).toBeUndefined()
  })
})

describe('the service\'s representations share the pipeline\'s rules', () => {
  const TENSOR = '/v1/tensors/uniform?shape=10&seed=9'
  const BODY = { initializer: 'uniform', shape: [10], seed: 9 }
  const MANIFEST = { seed: 9, tensors: [{ name: 'w', shape: [4, 3], initializer: 'glorot_uniform' }, { name: 'b', shape: [3], initializer: 'uniform' }] }

  test('If-Match: the JSON representation answers 412 exactly like the binary ones', async () => {
    const { app, engine } = await build()
    const problems: unknown[] = []
    for (const url of [`${TENSOR}&format=raw`, `${TENSOR}&format=npy`, `${TENSOR}&format=safetensors`, TENSOR.replace('?', '/json?')]) {
      const current = (await app.inject(url)).headers.etag as string
      expect((await app.inject({ url, headers: { 'if-match': current } })).statusCode, url).toBe(200)
      const before = engine.chunksComputed
      const res = await app.inject({ url, headers: { 'if-match': '"other"', 'if-none-match': current } })
      expect(res.statusCode, url).toBe(412)
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/)
      expect(res.headers.etag, url).toBeUndefined()
      expect(engine.chunksComputed, url).toBe(before)
      const { instance: _instance, requestId: _requestId, detail, ...problem } = res.json() as Record<string, unknown>
      expect(detail).toBe(`If-Match does not name the current entity tag ${current}.`)
      problems.push(problem)
    }
    for (const problem of problems) expect(problem).toEqual(problems[0])
    expect(problems[0]).toMatchObject({ status: 412, code: 'precondition-failed', field: '/headers/if-match' })
  })

  test('POST: tensors (binary and JSON) ignore preconditions and Range; checkpoints define both', async () => {
    const { app } = await build()
    const headers = { 'if-match': '"other"', range: 'bytes=0-3' }
    for (const url of ['/v1/tensors', '/v1/tensors/json']) {
      const res = await app.inject({ method: 'POST', url, payload: BODY, headers })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-range'], url).toBeUndefined()
    }
    const checkpoint = await app.inject({ method: 'POST', url: '/v1/checkpoints', payload: MANIFEST, headers })
    expect(checkpoint.statusCode).toBe(412)
    const ranged = await app.inject({ method: 'POST', url: '/v1/checkpoints', payload: MANIFEST, headers: { range: 'bytes=0-3' } })
    expect(ranged.statusCode).toBe(206)
    expect(ranged.rawPayload.length).toBe(4)
  })

  test('checkpoint tags are equal for equal manifests and differ when any one tensor\'s plan differs', async () => {
    const { app } = await build()
    const tag = async (manifest: object): Promise<string> => {
      const res = await app.inject({ method: 'POST', url: '/v1/checkpoints', payload: manifest })
      expect(res.statusCode).toBe(200)
      return res.headers.etag as string
    }
    const base = await tag(MANIFEST)
    expect(base).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    // The same manifest written another way (member order, defaults spelled out) is the same file.
    expect(await tag({ tensors: MANIFEST.tensors.map((t) => ({ initializer: t.initializer, shape: t.shape, name: t.name, dtype: 'float32' })), seed: '9' })).toBe(base)
    const changed = (i: number, change: Record<string, unknown>): object =>
      ({ ...MANIFEST, tensors: MANIFEST.tensors.map((t, j) => j === i ? { ...t, ...change } : t) })
    const others = await Promise.all([
      tag(changed(0, { initializer: 'glorot_normal' })),
      tag(changed(0, { shape: [3, 4] })),
      tag(changed(1, { params: { low: -1, high: 2 } })),
      tag(changed(1, { dtype: 'bfloat16' })),
      tag({ ...MANIFEST, keys: 'name' })
    ])
    expect(new Set([base, ...others]).size).toBe(others.length + 1)
  })

  test('a small checkpoint is sent as one buffer like a small tensor: an engine failure is still a problem response', async () => {
    const { app } = await build({ inline: { compute: () => { throw new Error('no workers') } } })
    const res = await app.inject({ method: 'POST', url: '/v1/checkpoints', payload: MANIFEST })
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers.etag).toBeUndefined()
    expect(res.headers['x-checkpoint-tensors']).toBeUndefined()
  })
})
