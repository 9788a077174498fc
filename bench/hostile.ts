import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { residentBytes } from './rss.ts'

/**
 * `npm run bench:hostile` (issue 12, docs/reliability.md): the service's figures under hostile
 * load, each against fresh real server processes on 127.0.0.1 with the DEFAULT settings (only
 * PORT, HOST and the engine are set), printed as one JSON object on stdout:
 *  - stalledBinary / stalledJson: peak RSS of the server under N clients that read a few KiB of
 *    a big binary tensor (or a 1M-element float64 JSON body) and stop, the answers they got
 *    (200 / 503 / 429 ...), RSS while they hang and after they leave;
 *  - healthzUnderJson / healthzUnderManifests: /healthz latency (p50, p99, max) while 12 clients
 *    fetch 1M-element JSON tensors, or 8 clients post 10 000-tensor checkpoint manifests;
 *  - afterAbortedOrthogonal: time until a small request answers after 10 orthogonal 1024x1024
 *    requests aborted after 0.2 s;
 *  - gateway: a 1 GiB download through a gateway process (ENGINE=remote) over three hosts,
 *    fault-free and with one host SIGSTOPped a third of the way in.
 * Every section is bounded in time; a section that fails reports `{ error }` and the rest run.
 * Every child is killed (SIGCONT first) when its section ends.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MIB = 2 ** 20
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/

function log (message: string): void {
  process.stderr.write(`[hostile] ${message}\n`)
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface Server { origin: string, pid: number, child: ChildProcess, stop: () => Promise<void> }

const children = new Set<ChildProcess>()

/** `node --import tsx src/server.ts` on 127.0.0.1 port 0, as `npm run dev` runs it. */
async function startServer (env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(child)
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { children.delete(child); resolve() }) })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT')
      child.kill('SIGKILL')
    }
    await exited
  }
  let output = ''
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start: ${output.slice(-2000)}`)) }, 60_000)
    const onData = (data: Buffer): void => {
      output = (output + data.toString()).slice(-16_384)
      const match = LISTENING.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`server exited (${String(code ?? signal)}): ${output.slice(-2000)}`)) })
  }).catch(async (err: unknown) => { await stop(); throw err })
  return { origin, pid: child.pid as number, child, stop }
}

function mib (bytes: number): number {
  return Math.round(bytes / MIB)
}

/** Samples the server's RSS every 100 ms; `peak` is the kernel's high-water mark (VmHWM). */
function rssSampler (pid: number): { stop: () => { maxRssMiB: number, peakMiB: number } } {
  let max = 0
  const timer = setInterval(() => {
    try { max = Math.max(max, residentBytes(pid).rss) } catch {}
  }, 100)
  return {
    stop: () => {
      clearInterval(timer)
      return { maxRssMiB: mib(max), peakMiB: mib(residentBytes(pid).peak) }
    }
  }
}

/** A client that sends a GET, reads `readBytes` (headers and body) and stops reading. */
interface Stalled { socket: Socket, status: Promise<number> }

function stalledClient (origin: string, path: string, readBytes: number): Stalled {
  const url = new URL(origin)
  const socket = connect(Number(url.port), url.hostname)
  socket.on('error', () => {})
  let received = 0
  let head = ''
  const status = new Promise<number>((resolve) => {
    socket.once('connect', () => { socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`) })
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 16) head += chunk.toString('latin1', 0, 16)
      const code = /^HTTP\/1\.1 (\d{3})/.exec(head)
      if (code !== null) resolve(Number(code[1]))
      received += chunk.length
      if (received >= readBytes) socket.pause()
    })
    socket.once('close', () => { resolve(0) })
  })
  return { socket, status }
}

function countStatuses (statuses: number[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const s of statuses) counts[s === 0 ? 'closed' : String(s)] = (counts[s === 0 ? 'closed' : String(s)] ?? 0) + 1
  return counts
}

/** Many stalled clients against a fresh server: RSS while they hang and after they leave. */
async function stalled (count: number, path: (i: number) => string, spacingMs: number, readBytes: (i: number) => number): Promise<Record<string, unknown>> {
  const server = await startServer({ ENGINE: 'cpu' })
  const clients: Stalled[] = []
  try {
    await sleep(500)
    const idleMiB = mib(residentBytes(server.pid).rss)
    const sampler = rssSampler(server.pid)
    for (let i = 0; i < count; i++) {
      clients.push(stalledClient(server.origin, path(i), readBytes(i)))
      await sleep(spacingMs)
    }
    // Give the server time to fill whatever it will fill for them.
    await sleep(8000)
    const statuses = await Promise.all(clients.map(async (c) => await Promise.race([c.status, sleep(2000).then(() => -1)])))
    const during = sampler.stop()
    const stillOpen = clients.filter((c) => !c.socket.destroyed).length
    for (const c of clients) c.socket.destroy()
    await sleep(5000)
    const afterMiB = mib(residentBytes(server.pid).rss)
    return { clients: count, idleRssMiB: idleMiB, ...during, rssAfterLeaveMiB: afterMiB, statuses: countStatuses(statuses), stillOpenAfter8s: stillOpen }
  } finally {
    for (const c of clients) c.socket.destroy()
    await server.stop()
  }
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

/** Polls /healthz one request at a time (each timed) until `done` settles. */
async function healthzWhile (origin: string, done: Promise<unknown>): Promise<Record<string, number>> {
  const state = { finished: false }
  done.finally(() => { state.finished = true }).catch(() => {})
  const times: number[] = []
  let failures = 0
  while (!state.finished) {
    const started = performance.now()
    try {
      const res = await request(`${origin}/healthz`, { headersTimeout: 30_000 })
      await res.body.dump()
      if (res.statusCode !== 200) failures++
    } catch {
      failures++
    }
    times.push(performance.now() - started)
    await sleep(20)
  }
  times.sort((a, b) => a - b)
  const round = (n: number): number => Math.round(n * 10) / 10
  return { samples: times.length, p50Ms: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)), maxMs: round(times.at(-1) ?? NaN), failures }
}

async function fetchAll (origin: string, count: number, make: (i: number) => { path: string, method?: 'GET' | 'POST', body?: string, headers?: Record<string, string> }): Promise<Record<string, number>> {
  const statuses = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const r = make(i)
    try {
      const res = await request(origin + r.path, { method: r.method ?? 'GET', body: r.body, headers: r.headers, headersTimeout: 120_000, bodyTimeout: 120_000 })
      await res.body.dump({ limit: Number.MAX_SAFE_INTEGER })
      return res.statusCode
    } catch {
      return 0
    }
  }))
  return countStatuses(statuses)
}

async function healthzUnderJson (): Promise<Record<string, unknown>> {
  const server = await startServer({ ENGINE: 'cpu' })
  try {
    const started = performance.now()
    const load = fetchAll(server.origin, 12, (i) => ({ path: `/v1/tensors/normal/json?shape=1000,1000&seed=${i}` }))
    const healthz = await healthzWhile(server.origin, load)
    return { requests: 12, elements: 1_000_000, statuses: await load, ms: Math.round(performance.now() - started), healthz }
  } finally {
    await server.stop()
  }
}

async function healthzUnderManifests (): Promise<Record<string, unknown>> {
  const server = await startServer({ ENGINE: 'cpu' })
  try {
    const tensors = Array.from({ length: 10_000 }, (_, i) => ({ name: `layers.${i}.weight`, shape: [4, 4], initializer: 'normal', params: { std: 0.02 } }))
    const started = performance.now()
    const load = fetchAll(server.origin, 8, (i) => ({
      path: '/v1/checkpoints',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: i, dtype: 'float32', tensors })
    }))
    const healthz = await healthzWhile(server.origin, load)
    return { requests: 8, tensorsPerManifest: 10_000, statuses: await load, ms: Math.round(performance.now() - started), healthz }
  } finally {
    await server.stop()
  }
}

async function afterAbortedOrthogonal (): Promise<Record<string, unknown>> {
  const server = await startServer({ ENGINE: 'cpu' })
  try {
    // Warm the small path first so its own first-call cost is not counted.
    await (await request(`${server.origin}/v1/tensors/normal?shape=8,8&dtype=float16&seed=1`)).body.dump()
    const controllers = Array.from({ length: 10 }, () => new AbortController())
    const aborted = controllers.map(async (c, i) => {
      try {
        const res = await request(`${server.origin}/v1/tensors/orthogonal?shape=1024,1024&seed=${i}`, { signal: c.signal })
        await res.body.dump({ limit: Number.MAX_SAFE_INTEGER, signal: c.signal })
      } catch {}
    })
    await sleep(200)
    for (const c of controllers) c.abort()
    await Promise.all(aborted)
    const started = performance.now()
    const res = await request(`${server.origin}/v1/tensors/normal?shape=8,8&dtype=float16&seed=2`, { headersTimeout: 120_000 })
    await res.body.dump()
    return { aborted: 10, smallStatus: res.statusCode, smallRequestMs: Math.round(performance.now() - started) }
  } finally {
    await server.stop()
  }
}

async function download (origin: string, path: string, onProgress: (received: number) => void): Promise<{ status: number, bytes: number, ms: number, etag: unknown }> {
  const started = performance.now()
  const res = await request(origin + path, { headersTimeout: 120_000, bodyTimeout: 120_000 })
  let bytes = 0
  for await (const chunk of res.body) {
    bytes += (chunk as Buffer).length
    onProgress(bytes)
  }
  return { status: res.statusCode, bytes, ms: Math.round(performance.now() - started), etag: res.headers.etag }
}

async function gateway (): Promise<Record<string, unknown>> {
  const hosts = await Promise.all([0, 1, 2].map(async () => await startServer({ ENGINE: 'cpu', WORKER_THREADS: '1' })))
  let gatewayServer: Server | undefined
  try {
    // Default REMOTE_* settings: only the hosts are given.
    gatewayServer = await startServer({ ENGINE: 'remote', WORKER_HOSTS: hosts.map((h) => h.origin).join(',') })
    const total = 256 * MIB * 4
    // 1 GiB: about the ~7 s download of the measurement, where a frozen host costs a fixed
    // detection time (REMOTE_HEALTH_INTERVAL_MS + REMOTE_HEALTH_TIMEOUT_MS) plus a re-fetch.
    const path = `/v1/tensors/uniform?shape=256,${MIB}&seed=1212&low=-1&high=1`
    await download(gatewayServer.origin, `/v1/tensors/uniform?shape=8,${MIB}&seed=1`, () => {})
    const clean = await download(gatewayServer.origin, path, () => {})
    let stoppedAt = -1
    const started = performance.now()
    const frozen = await download(gatewayServer.origin, path, (received) => {
      if (stoppedAt < 0 && received >= total / 3) {
        stoppedAt = Math.round(performance.now() - started)
        hosts[1]!.child.kill('SIGSTOP')
      }
    })
    hosts[1]!.child.kill('SIGCONT')
    return {
      bytes: total,
      cleanMs: clean.ms,
      frozenHostMs: frozen.ms,
      ratio: +(frozen.ms / clean.ms).toFixed(2),
      stoppedAfterMs: stoppedAt,
      complete: clean.bytes === total && frozen.bytes === total && frozen.etag === clean.etag
    }
  } finally {
    await gatewayServer?.stop()
    await Promise.all(hosts.map(async (h) => { await h.stop() }))
  }
}

async function section (name: string, run: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  log(`${name} ...`)
  const started = performance.now()
  try {
    const result = await run()
    log(`${name}: ${JSON.stringify(result)}`)
    return { ...result, sectionMs: Math.round(performance.now() - started) }
  } catch (err) {
    log(`${name} failed: ${String(err)}`)
    return { error: err instanceof Error ? err.message : String(err) }
  }
}

async function main (): Promise<void> {
  const counts = { binary: Number(process.env.HOSTILE_BINARY_CLIENTS ?? 400), json: Number(process.env.HOSTILE_JSON_CLIENTS ?? 40) }
  const report: Record<string, unknown> = {
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model, memoryMiB: mib(totalmem()), node: process.version },
    settings: 'defaults (PORT, HOST, ENGINE=cpu; WORKER_THREADS=1 for gateway hosts)'
  }
  // 1-4 GiB binary tensors (MAX_BYTES is 4 GiB), 10 ms apart, each reading 16-64 KiB.
  report.stalledBinary = await section('stalledBinary', async () => await stalled(counts.binary,
    (i) => `/v1/tensors/uniform?shape=${(1 + (i % 4)) * 256 * MIB}&seed=${i}`, 10, (i) => (16 + (i % 4) * 16) * 1024))
  report.stalledJson = await section('stalledJson', async () => await stalled(counts.json,
    (i) => `/v1/tensors/normal/json?shape=1000,1000&dtype=float64&seed=${i}`, 30, () => 32 * 1024))
  report.healthzUnderJson = await section('healthzUnderJson', healthzUnderJson)
  report.healthzUnderManifests = await section('healthzUnderManifests', healthzUnderManifests)
  report.afterAbortedOrthogonal = await section('afterAbortedOrthogonal', afterAbortedOrthogonal)
  report.gateway = await section('gateway', gateway)
  process.stdout.write(JSON.stringify(report) + '\n')
}

// Whatever happens, no server is left behind.
const killAll = (): void => {
  for (const child of children) {
    child.kill('SIGCONT')
    child.kill('SIGKILL')
  }
}
process.once('exit', killAll)
process.once('SIGINT', () => { killAll(); process.exit(130) })
process.once('SIGTERM', () => { killAll(); process.exit(143) })
main().catch((err: unknown) => {
  log(String(err))
  killAll()
  process.exitCode = 1
})
