import { setTimeout as sleep } from 'node:timers/promises'
import { expect, onTestFinished, test } from 'vitest'
import { MiB, metric, stalledClient, startServer, until, type StalledClient } from './harness.ts'

/**
 * Issue 12, "memory bounded across all responses": rows of its table at a bounded scale, against
 * a server process with the default settings (MAX_BUFFERED_BYTES 256 MiB, MAX_STREAMS 256), so
 * that its RSS is its own. Full scale (400 binary, 40 JSON clients) is in docs/reliability.md.
 */

async function stall (port: number, paths: string[]): Promise<StalledClient[]> {
  const clients: StalledClient[] = []
  for (const [i, path] of paths.entries()) {
    const client = stalledClient(port, path, 16 * 1024 * (1 + (i % 4)))
    onTestFinished(() => { client.socket.destroy() })
    clients.push(client)
    await sleep(30)
  }
  await until(() => clients.every((c) => c.status() !== undefined), 20_000, 'every response head')
  return clients
}

test('stalled binary clients asking for 1-4 GiB: the excess is answered 503, RSS stays bounded, the reservation returns', async () => {
  const server = await startServer()
  onTestFinished(server.stop)
  const base = server.rss()
  let peak = base
  const sampler = setInterval(() => { peak = Math.max(peak, server.rss()) }, 50)
  onTestFinished(() => { clearInterval(sampler) })
  const paths = Array.from({ length: 60 }, (_, i) => `/v1/tensors/normal?shape=${(1 + (i % 4)) * 268435456}&dtype=float32&seed=${i}`)
  const clients = await stall(server.port, paths)
  await sleep(1000)
  const ok = clients.filter((c) => c.status() === 200).length
  const refused = clients.filter((c) => c.status() === 503).length
  expect(ok + refused).toBe(60)
  // 256 MiB at about 12 MiB per stream admits about 20 (the rest is the measured excess).
  expect(ok).toBeGreaterThan(5)
  expect(refused).toBeGreaterThan(20)
  expect(await metric(server.origin, 'tensor_admission_rejected_total', 'reason="bytes"')).toBe(refused)
  expect(await metric(server.origin, 'tensor_admission_reserved_bytes')).toBeLessThanOrEqual(256 * MiB)
  // Unbounded, 60 stalled clients pinned ~8 MiB each on top of the base (issue 12).
  expect(peak / MiB).toBeLessThan(700)
  for (const c of clients) c.socket.destroy()
  await until(async () => await metric(server.origin, 'tensor_admission_reserved_bytes') === 0, 5000, 'reservations returned')
  expect(await metric(server.origin, 'tensor_admission_streams')).toBe(0)
}, 60_000)

test('stalled JSON clients of 1000x1000 float64: the excess is answered 503, RSS stays bounded', async () => {
  const server = await startServer()
  onTestFinished(server.stop)
  let peak = server.rss()
  const sampler = setInterval(() => { peak = Math.max(peak, server.rss()) }, 50)
  onTestFinished(() => { clearInterval(sampler) })
  const paths = Array.from({ length: 12 }, (_, i) => `/v1/tensors/normal/json?shape=1000,1000&dtype=float64&seed=${i}`)
  const clients = await stall(server.port, paths)
  const refused = clients.filter((c) => c.status() === 503).length
  expect(refused).toBeGreaterThan(5)
  expect(clients.filter((c) => c.status() === 200).length).toBeGreaterThan(0)
  expect(peak / MiB).toBeLessThan(700)
  for (const c of clients) c.socket.destroy()
  await until(async () => await metric(server.origin, 'tensor_admission_reserved_bytes') === 0, 5000, 'reservations returned')
}, 60_000)
