import { Pool, request } from 'undici'

/**
 * The HTTP client of the bench, in its own process (so the service's threads and the client do
 * not share an event loop). Two modes, each printing one JSON line:
 *
 *   stream <url> <repeat>            GETs url `repeat` times one after another, reading and
 *                                    discarding the body: {"bytes": n, "seconds": [..]}
 *   rate <origin> <path> <conc> <ms> keeps `conc` requests in flight for `ms` milliseconds;
 *                                    "{i}" in path becomes a counter: {"requests": n, "seconds": s}
 */

async function stream (url: string, repeat: number): Promise<void> {
  const seconds: number[] = []
  let bytes = 0
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint()
    const res = await request(url, { headers: { accept: 'application/octet-stream' } })
    if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${await res.body.text()}`)
    let n = 0
    for await (const chunk of res.body) n += (chunk as Buffer).length
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9)
    bytes = n
  }
  process.stdout.write(`${JSON.stringify({ bytes, seconds })}\n`)
}

async function rate (origin: string, path: string, concurrency: number, ms: number): Promise<void> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 })
  let counter = 0
  let done = 0
  let failed = 0
  const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n
  const t0 = process.hrtime.bigint()
  async function loop (): Promise<void> {
    while (process.hrtime.bigint() < deadline) {
      const res = await pool.request({ method: 'GET', path: path.replace('{i}', String(counter++)), headers: { accept: 'application/octet-stream' } })
      await res.body.arrayBuffer()
      if (res.statusCode === 200) done++
      else failed++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  await pool.close()
  process.stdout.write(`${JSON.stringify({ requests: done, failed, seconds })}\n`)
}

const [mode, ...args] = process.argv.slice(2)
if (mode === 'stream') await stream(args[0]!, Number(args[1] ?? 1))
else if (mode === 'rate') await rate(args[0]!, args[1]!, Number(args[2]), Number(args[3]))
else throw new Error(`unknown client mode ${String(mode)}`)
