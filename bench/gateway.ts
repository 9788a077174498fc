import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
import { buildApp } from '../src/app.ts'
import { createRemoteEngine } from '../src/engines/remote/remote-engine.ts'
import { REMOTE_DEFAULTS } from '../src/engines/remote/remote-options.ts'
import { startService, type ServiceProcess } from '../test/engines/remote/service-process.ts'

/**
 * `tsx bench/gateway.ts [--quick]`: the remote engine's cost, printed as one JSON object.
 *
 * Three service processes (cpu engine, one worker thread each) on 127.0.0.1; a gateway (the app
 * over the remote engine) in this process, over 1, 2 and 3 of them. Each workload is fetched
 * directly from one host, then through the gateway. On a 2-core machine the hosts share the
 * same cores, so more hosts cannot be faster: what this measures is the gateway's overhead,
 *  - wall: gateway time / direct time, for the same bytes;
 *  - cpu: this process's CPU time per byte while the bytes go through the gateway; the client
 *    reading them is a separate process, so this is the gateway's alone. The same figure during
 *    the direct fetch (nothing passes through this process) is the noise floor.
 * Progress goes to stderr; the JSON to stdout.
 */

const MIB = 2 ** 20
const quick = process.argv.includes('--quick')
const REPEAT = quick ? 1 : 3

interface Workload { name: string, path: string, bytes: number }

const WORKLOADS: Workload[] = [
  // Nothing to compute: the hosts only copy bytes, so the gateway's own cost shows most.
  { name: 'constant float32', path: '/v1/tensors/constant?shape={rows},1048576&value=0.5', bytes: (quick ? 32 : 128) * MIB },
  // Compute-bound on the hosts.
  { name: 'uniform float32', path: '/v1/tensors/uniform?shape={rows},1048576&seed=7', bytes: (quick ? 16 : 64) * MIB }
]

function log (message: string): void {
  process.stderr.write(`[bench:gateway] ${message}\n`)
}

function pathOf (w: Workload): string {
  return w.path.replace('{rows}', String(w.bytes / 4 / MIB))
}

interface Run { ms: number, cpuUs: number }

/**
 * The client is another process (node's fetch, reading and dropping the body), so this process's
 * CPU time during a fetch is the gateway's alone (and close to nothing for a direct fetch).
 */
const CLIENT = `
const [url, bytes] = process.argv.slice(1)
const started = performance.now()
const res = await fetch(url)
let received = 0
for await (const chunk of res.body) received += chunk.length
const ms = performance.now() - started
if (res.status !== 200 || received !== Number(bytes)) { console.error(url, res.status, received); process.exit(1) }
console.log(JSON.stringify({ ms }))
`

/** One GET by a child client; wall time as the client saw it, and this process's CPU time meanwhile. */
async function fetchOnce (url: string, bytes: number): Promise<Run> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, url, String(bytes)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const cpu = process.cpuUsage()
  const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve) })
  const used = process.cpuUsage(cpu)
  if (code !== 0) throw new Error(`client failed for ${url}`)
  const { ms } = JSON.parse(out) as { ms: number }
  return { ms, cpuUs: used.user + used.system }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function measure (url: string, bytes: number): Promise<Run> {
  const runs: Run[] = []
  for (let i = 0; i < REPEAT; i++) runs.push(await fetchOnce(url, bytes))
  return { ms: median(runs.map((r) => r.ms)), cpuUs: median(runs.map((r) => r.cpuUs)) }
}

async function withGateway<T> (hosts: ServiceProcess[], use: (origin: string) => Promise<T>): Promise<T> {
  const engine = await createRemoteEngine({ hosts: hosts.map((h) => h.origin) })
  const app = await buildApp({ logger: false, engine })
  await app.listen({ host: '127.0.0.1', port: 0 })
  try {
    if (engine.info.concurrency !== hosts.length) throw new Error(`only ${engine.info.concurrency} of ${hosts.length} hosts ready`)
    return await use(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  } finally {
    await app.close()
    await engine.close()
  }
}

const mibPerSecond = (bytes: number, ms: number): number => +(bytes / MIB / (ms / 1000)).toFixed(1)

async function main (): Promise<void> {
  log('starting 3 service processes')
  const hosts = await Promise.all([0, 1, 2].map(async () => await startService({ ENGINE: 'cpu', WORKER_THREADS: '1' })))
  try {
    const results = []
    for (const w of WORKLOADS) {
      const path = pathOf(w)
      // Warm-up: JIT, worker start, kept-alive sockets.
      await fetchOnce(hosts[0]!.origin + path, w.bytes)
      log(`${w.name}: direct`)
      const direct = await measure(hosts[0]!.origin + path, w.bytes)
      const gateway = []
      for (const n of [1, 2, 3]) {
        log(`${w.name}: gateway over ${n} host(s)`)
        const run = await withGateway(hosts.slice(0, n), async (origin) => {
          await fetchOnce(origin + path, w.bytes)
          return await measure(origin + path, w.bytes)
        })
        gateway.push({
          hosts: n,
          ms: Math.round(run.ms),
          mibPerSecond: mibPerSecond(w.bytes, run.ms),
          wallRatioVsDirect: +(run.ms / direct.ms).toFixed(2),
          gatewayCpuNsPerByte: +((run.cpuUs * 1000) / w.bytes).toFixed(2),
          gatewayCpuMsPerGiB: Math.round((run.cpuUs / 1000) * (1024 * MIB / w.bytes))
        })
      }
      results.push({
        workload: w.name,
        bytes: w.bytes,
        direct: { ms: Math.round(direct.ms), mibPerSecond: mibPerSecond(w.bytes, direct.ms), noiseCpuNsPerByte: +((direct.cpuUs * 1000) / w.bytes).toFixed(2) },
        gateway
      })
    }
    process.stdout.write(JSON.stringify({
      bench: 'gateway',
      quick,
      machine: { cpus: availableParallelism(), node: process.version, loadavg1m: +(loadavg()[0] ?? 0).toFixed(2) },
      settings: { repeat: REPEAT, partBytes: REMOTE_DEFAULTS.partBytes, connectionsPerHost: REMOTE_DEFAULTS.connectionsPerHost, hostThreads: 1 },
      results
    }, null, 2) + '\n')
  } finally {
    await Promise.all(hosts.map(async (h) => { await h.kill() }))
  }
}

await main()
