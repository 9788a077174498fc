import { connect } from 'node:net'
import { Pool } from 'undici'

/**
 * The HTTP client of the bench, in its own process (so the service's threads and the client do
 * not share an event loop). Two modes, each printing one JSON line:
 *
 *   stream <url> <repeat>            GETs url `repeat` times one after another, reading and
 *                                    discarding the body (download, below): {"bytes": n, "seconds": [..]}
 *   rate <origin> <path> <conc> <ms> keeps `conc` requests in flight for `ms` milliseconds over
 *                                    undici keep-alive connections (the customer's client);
 *                                    "{i}" in path becomes a counter: {"requests": n, "seconds": s}
 */

/**
 * One GET over a fresh connection, reading the body into one reused 4 MiB buffer (net's `onread`
 * option) and counting it. A minimal HTTP/1.1 reader rather than undici's body stream: on this
 * 2-core VM undici's stream costs the client about 1.1 cores at 350 MB/s (a fresh buffer, a
 * promise and a stream event per 64 KiB read) and becomes the bottleneck of the very figure it
 * measures; this reader takes the same bytes from the socket at about curl's cost.
 */
async function download (url: string): Promise<number> {
  const { hostname, port, pathname, search } = new URL(url)
  const scratch = Buffer.allocUnsafe(4 * 2 ** 20)
  return await new Promise<number>((resolve, reject) => {
    let head = ''
    let expected = -1
    let received = 0
    const onBody = (n: number): void => {
      received += n
      if (received === expected) {
        socket.destroy()
        resolve(received)
      } else if (received > expected) {
        socket.destroy()
        reject(new Error(`${url}: ${received} bytes, more than Content-Length ${expected}`))
      }
    }
    const socket = connect({
      host: hostname,
      port: Number(port),
      onread: {
        buffer: scratch,
        callback: (n: number, buffer: Uint8Array): boolean => {
          if (expected >= 0) {
            onBody(n)
            return true
          }
          head += Buffer.from(buffer.subarray(0, n)).toString('latin1')
          const end = head.indexOf('\r\n\r\n')
          if (end === -1) return true
          const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]
          const length = /\r\ncontent-length: *(\d+)/i.exec(head.slice(0, end))?.[1]
          if (status !== '200' || length === undefined) {
            socket.destroy()
            reject(new Error(`${url}: ${head.slice(0, Math.min(end, 300))}`))
            return false
          }
          expected = Number(length)
          const bodyBytes = head.length - (end + 4)
          if (bodyBytes > 0 || expected === 0) onBody(bodyBytes)
          return true
        }
      }
    })
    socket.once('connect', () => {
      socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: application/octet-stream\r\nConnection: close\r\n\r\n`)
    })
    socket.once('error', reject)
    socket.once('close', () => {
      if (received !== expected) reject(new Error(`${url}: connection closed after ${received} of ${expected} body bytes`))
    })
  })
}

async function stream (url: string, repeat: number): Promise<void> {
  const seconds: number[] = []
  let bytes = 0
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint()
    bytes = await download(url)
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9)
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
