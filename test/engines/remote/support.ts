import { createHash } from 'node:crypto'
import { request } from 'undici'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { onTestFinished } from 'vitest'
import { buildApp } from '../../../src/app.ts'
import type { Engine, StreamOptions } from '../../../src/engines/engine.ts'
import type { EngineInfo } from '../../../src/engines/engine-info.ts'
import type { Exactness } from '../../../src/core/exactness.ts'
import type { ElementRange } from '../../../src/core/element-range.ts'
import { createRemoteEngine, type RemoteEngine } from '../../../src/engines/remote/remote-engine.ts'
import type { RemoteEngineOptions } from '../../../src/engines/remote/remote-options.ts'
import { mlxExactness, profileExactness } from '../../../src/engines/mlx/exactness.ts'
import type { Plan } from '../../../src/core/plan.ts'
import { InlineEngine, type InlineEngineOptions } from '../../support/inline-engine.ts'

/**
 * Worker hosts for the remote engine's in-process tests: real instances of the service (buildApp)
 * listening on 127.0.0.1, each over an engine the test controls, so failures are real HTTP
 * failures (status codes, bodies cut mid-way, stalled sockets) seen through real undici sockets.
 */

export interface Host<E extends Engine = Engine> {
  app: FastifyInstance
  engine: E
  origin: string
  port: number
}

export async function startHost<E extends Engine> (engine: E, port = 0): Promise<Host<E>> {
  const app = await buildApp({ logger: false, engine })
  await app.listen({ host: '127.0.0.1', port })
  const address = app.server.address() as AddressInfo
  onTestFinished(async () => {
    app.server.closeAllConnections()
    await app.close()
  })
  return { app, engine, origin: `http://127.0.0.1:${address.port}`, port: address.port }
}

export async function startInlineHosts (count: number, inline: InlineEngineOptions = {}): Promise<Array<Host<InlineEngine>>> {
  return await Promise.all(Array.from({ length: count }, async () => await startHost(new InlineEngine(inline))))
}

/** Short timeouts and small parts, so failures show within a test's time and many parts exist. */
export const FAST: Omit<RemoteEngineOptions, 'hosts'> = {
  partBytes: 64 * 1024,
  headersTimeoutMs: 1500,
  bodyTimeoutMs: 1500,
  connectTimeoutMs: 1000,
  healthIntervalMs: 100,
  healthTimeoutMs: 500,
  maxAttemptsPerPart: 4
}

export async function remote (hosts: ReadonlyArray<{ origin: string }>, options: Omit<RemoteEngineOptions, 'hosts'> = {}): Promise<RemoteEngine> {
  const engine = await createRemoteEngine({ ...FAST, ...options, hosts: hosts.map((h) => h.origin) })
  onTestFinished(async () => { await engine.close() })
  return engine
}

/** A gateway: the service itself over a remote engine, listening on 127.0.0.1. */
export async function startGateway (engine: RemoteEngine): Promise<{ app: FastifyInstance, origin: string }> {
  const app = await buildApp({ logger: false, engine })
  await app.listen({ host: '127.0.0.1', port: 0 })
  onTestFinished(async () => {
    app.server.closeAllConnections()
    await app.close()
  })
  return { app, origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

export async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

export function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until (predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * An InlineEngine that misbehaves after `after` chunks of a stream: `stall` stops sending without
 * closing (a frozen process), `throw` fails the stream (the service then cuts the connection
 * mid-body, or answers 5xx if nothing was sent). `armed` switches the fault on and off.
 */
export class FaultyEngine extends InlineEngine {
  armed = true
  /** Faults injected so far. */
  faults = 0
  readonly fault: 'stall' | 'throw'
  after: number
  /** Disarm after the first fault. */
  readonly once: boolean

  constructor (fault: 'stall' | 'throw', after: number, options: InlineEngineOptions & { once?: boolean } = {}) {
    super(options)
    this.fault = fault
    this.after = after
    this.once = options.once ?? false
  }

  override async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    let n = 0
    for await (const chunk of super.stream(plan, range, options)) {
      if (this.armed && n++ >= this.after) {
        this.faults++
        if (this.once) this.armed = false
        if (this.fault === 'throw') throw new Error('injected engine failure')
        await new Promise((_resolve, reject) => {
          options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
        })
      }
      yield chunk
    }
  }
}

/** An InlineEngine declaring another exactness class (its bytes are the reference's, XOR 0x01). */
export class OtherClassEngine extends InlineEngine {
  override readonly info: EngineInfo
  private readonly declared: Exactness

  constructor (declared: Exactness, inline: InlineEngineOptions = {}) {
    super(inline)
    this.declared = declared
    this.info = { ...new InlineEngine().info, exactness: { 'mlx-0.32': declared, 'mlx-0.13': declared } }
  }

  override exactness (_plan: Plan): Exactness {
    return this.declared
  }

  override async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    for await (const chunk of super.stream(plan, range, options)) yield chunk.map((b) => b ^ 1)
  }
}

/**
 * An InlineEngine whose /readyz table says exact but whose per-plan class is another: its ETags
 * differ from the class it advertises (as a host of another version or plan would).
 */
export class LyingEngine extends InlineEngine {
  override exactness (_plan: Plan): Exactness {
    return { class: 'close', ulp: 1 }
  }

  override async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    for await (const chunk of super.stream(plan, range, options)) yield chunk.map((b) => b ^ 1)
  }
}

/**
 * An InlineEngine describing itself as the mlx engine on a Metal GPU: its /readyz table is the
 * GPU's worst case per profile, its per-plan class is what the mlx engine declares on the GPU
 * (src/engines/mlx/exactness.ts), and its bytes for `close` plans differ from the reference.
 */
export class GpuLikeEngine extends InlineEngine {
  override readonly info: EngineInfo = { ...new InlineEngine().info, name: 'mlx', device: 'gpu', exactness: profileExactness('gpu') }

  override exactness (plan: Plan): Exactness {
    return mlxExactness(plan, 'gpu')
  }

  override async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const close = this.exactness(plan).class === 'close'
    for await (const chunk of super.stream(plan, range, options)) yield close ? chunk.map((b) => b ^ 1) : chunk
  }
}

/** A download's outcome: status, headers, the bytes received and their SHA-256, a body error. */
export interface Download {
  status: number
  headers: Record<string, string | string[] | undefined>
  received: number
  sha: string
  error: unknown
  ms: number
}

/**
 * GETs `url`, hashing the body as it reads (nothing is kept); `onProgress` sees the byte count
 * after each chunk, so a test can inject a fault part way. A body that fails part way is
 * reported in `error`, with what arrived before it.
 */
export async function download (url: string, onProgress: (received: number) => void = () => {}): Promise<Download> {
  const started = performance.now()
  const res = await request(url)
  const hash = createHash('sha256')
  let received = 0
  let error: unknown
  try {
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer)
      received += (chunk as Buffer).length
      onProgress(received)
    }
  } catch (err) {
    error = err
  }
  return { status: res.statusCode, headers: res.headers, received, sha: hash.digest('hex'), error, ms: performance.now() - started }
}
