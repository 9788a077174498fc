import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { describe, expect, onTestFinished, test } from 'vitest'
import { buildApp, type AppOptions } from '../../src/app.ts'
import { metric, stalledClient, until } from './harness.ts'

/**
 * Issue 12, "clients that stop reading are cut" and the connection limits, on an in-process app
 * listening on 127.0.0.1:0 with the limits scaled down so each case takes well under a second.
 */

async function serve (options: AppOptions): Promise<{ app: FastifyInstance, origin: string, port: number }> {
  const app = await buildApp({ logger: false, ...options })
  onTestFinished(async () => { await app.close() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  return { app, origin: `http://127.0.0.1:${port}`, port }
}

describe('SEND_TIMEOUT_MS', () => {
  test('a client that stops reading a 1 GiB tensor is cut after the send timeout, counted, and its reservation returned', async () => {
    const sendTimeoutMs = 400
    const { origin, port } = await serve({ connections: { sendTimeoutMs } })
    const client = stalledClient(port, '/v1/tensors/constant?shape=268435456&value=0.5&dtype=float32', 32 * 1024)
    await until(() => client.status() !== undefined, 10_000, 'the response head')
    expect(client.status()).toBe(200)
    expect(await metric(origin, 'tensor_admission_streams')).toBe(1)
    expect(await metric(origin, 'tensor_admission_reserved_bytes')).toBeGreaterThan(0)
    // Stalled from here on: the kernel buffers fill within milliseconds, then nothing moves.
    // (The paused client would only notice the reset when it reads again: the server's side is
    // what is measured.)
    const stalledAt = Date.now()
    await until(async () => await metric(origin, 'tensor_send_timeouts_total') === 1, 10_000, 'the send timeout counted')
    const elapsed = Date.now() - stalledAt
    // The watchdog cuts between 1 and 1.25 timeouts after the last progress (plus the time the
    // buffers took to fill, and scheduling): assert with a margin on both sides.
    expect(elapsed).toBeGreaterThanOrEqual(sendTimeoutMs - 50)
    expect(elapsed).toBeLessThan(sendTimeoutMs * 1.25 + 1500)
    // Far less than the tensor reached the client: it was cut, not finished.
    expect(client.received()).toBeLessThan(64 * 2 ** 20)
    client.drain()
    await client.closed
    await until(async () => await metric(origin, 'tensor_admission_reserved_bytes') === 0, 2000, 'reservation returned')
    expect(await metric(origin, 'tensor_admission_streams')).toBe(0)
  })

  test('a client that reads slowly but steadily is not cut', async () => {
    const sendTimeoutMs = 1000
    const { origin, port } = await serve({ connections: { sendTimeoutMs } })
    // 8 MiB read at about 4 MiB/s: it takes two seconds, two timeouts, with progress all along (the
    // kernel wakes the writer in bursts, a fraction of a second apart at this rate).
    const total = 8 * 2 ** 20
    const socket = connect({ host: '127.0.0.1', port })
    let received = 0
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (data: Buffer) => {
        received += data.length
        socket.pause()
        setTimeout(() => socket.resume(), Math.ceil(data.length / (4 * 1024)))
      })
      socket.once('end', resolve)
      socket.once('close', resolve)
      socket.once('error', reject)
    })
    socket.write(`GET /v1/tensors/constant?shape=${total / 4}&value=1&dtype=float32 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    await done
    // Head plus the whole body arrived.
    expect(received).toBeGreaterThan(total)
    expect(await metric(origin, 'tensor_send_timeouts_total')).toBe(0)
  })
})

describe('connection limits', () => {
  test('MAX_CONNECTIONS: the connection past the cap is closed at once, and counted', async () => {
    const { origin, port } = await serve({ connections: { maxConnections: 3 } })
    const open = []
    for (let i = 0; i < 3; i++) {
      const socket = connect({ host: '127.0.0.1', port })
      onTestFinished(() => { socket.destroy() })
      // Each is served: the cap is about connections, not requests.
      const head = await new Promise<string>((resolve) => {
        socket.once('data', (data: Buffer) => resolve(data.toString('latin1')))
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
      })
      expect(head).toMatch(/^HTTP\/1\.1 200/)
      open.push(socket)
    }
    const extra = connect({ host: '127.0.0.1', port })
    let bytes = 0
    extra.on('data', (data: Buffer) => { bytes += data.length })
    extra.on('error', () => {})
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    const closed = await Promise.race([new Promise((resolve) => extra.once('close', () => resolve(true))), sleep(3000).then(() => false)])
    expect(closed).toBe(true)
    expect(bytes).toBe(0)
    // Once one leaves, a new connection is served again; /metrics counts the dropped one.
    open[0]!.destroy()
    await sleep(100)
    expect(await metric(origin, 'http_connections_dropped_total')).toBe(1)
  })

  test('MAX_REQUESTS_PER_SOCKET: the last response on a connection says Connection: close', async () => {
    const { port } = await serve({ connections: { maxRequestsPerSocket: 3 } })
    const socket = connect({ host: '127.0.0.1', port })
    let text = ''
    socket.on('data', (data: Buffer) => { text += data.toString('latin1') })
    for (let i = 0; i < 3; i++) {
      const seen = (text.match(/HTTP\/1\.1 /g) ?? []).length
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
      await until(() => (text.match(/HTTP\/1\.1 /g) ?? []).length > seen && text.endsWith('}'), 5000, `response ${i + 1}`)
    }
    const heads = text.split(/(?=HTTP\/1\.1 )/).map((r) => r.split('\r\n\r\n', 1)[0]!.toLowerCase())
    expect(heads).toHaveLength(3)
    expect(heads[0]).toContain('connection: keep-alive')
    expect(heads[1]).toContain('connection: keep-alive')
    expect(heads[2]).toContain('connection: close')
    socket.destroy()
  })

  test('REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS and KEEP_ALIVE_TIMEOUT_MS reach the server', async () => {
    const { app } = await serve({ connections: { requestTimeoutMs: 4000, headersTimeoutMs: 2000, keepAliveTimeoutMs: 3000 } })
    expect(app.server.requestTimeout).toBe(4000)
    expect(app.server.headersTimeout).toBe(2000)
    expect(app.server.keepAliveTimeout).toBe(3000)
    // A client that never finishes its headers is answered (408) and closed within the timeout.
    const socket = connect({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port })
    let text = ''
    socket.on('data', (data: Buffer) => { text += data.toString('latin1') })
    const started = Date.now()
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(1900)
    // Node checks every connectionsCheckingInterval (a quarter of the timeout, at most 1 s).
    expect(elapsed).toBeLessThan(2000 * 1.25 + 1000)
    expect(text).toMatch(/^HTTP\/1\.1 408/)
  })
})
