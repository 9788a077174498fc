import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Hostile clients against a real server process (issue 12): the server runs as a child process
 * so that its RSS is its own, on 127.0.0.1 and port 0; clients are raw sockets, so that nothing
 * reads on their behalf.
 */

const root = new URL('../../', import.meta.url).pathname
export const MiB = 2 ** 20

export interface Server {
  child: ChildProcess
  origin: string
  port: number
  /** The server process's resident set now (bytes), from /proc. */
  rss: () => number
  stop: () => Promise<void>
}

export async function startServer (env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never said it listens must not outlive the test.
      child.kill('SIGKILL')
      reject(new Error(`server did not start: ${output}`))
    }, 30_000)
    let started = false
    const onData = (data: Buffer): void => {
      // Once started, the request log is read and dropped (a full pipe would block the server).
      if (started) return
      output += data.toString()
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        started = true
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}): ${output}`))
    })
  })
  const pid = child.pid as number
  return {
    child,
    origin,
    port: Number(new URL(origin).port),
    rss: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
      return Number(kib) * 1024
    },
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
}

export interface StalledClient {
  socket: Socket
  /** Status code of the response, once its head arrived. */
  status: () => number | undefined
  /** Raw bytes received so far (head included). */
  received: () => number
  /** Resolves when the server closed or destroyed the connection (seen only while reading). */
  closed: Promise<void>
  /** Reads everything from now on. */
  drain: () => void
}

/**
 * Sends `GET path`, reads about `readBytes` bytes (the head and the start of the body), then
 * stops reading: the socket stays open and its receive buffer fills, as with a client that
 * hung. The kernel buffers of both ends still take some MiB; past them the server's writes wait.
 */
export function stalledClient (port: number, path: string, readBytes: number): StalledClient {
  const socket = connect({ host: '127.0.0.1', port })
  let received = 0
  let head = ''
  let status: number | undefined
  let draining = false
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => { resolve() })
  })
  socket.on('error', () => {})
  socket.on('data', (data: Buffer) => {
    received += data.length
    if (status === undefined) {
      head += data.subarray(0, 64).toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head)
      if (match?.[1] !== undefined) status = Number(match[1])
    }
    // A 503 is read whole (it is small); a 200 only up to readBytes.
    if (!draining && received >= readBytes && status === 200) socket.pause()
  })
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
  return { socket, status: () => status, received: () => received, closed, drain: () => { draining = true; socket.resume() } }
}

/** Waits until `check` holds, polling every 20 ms, or fails after `ms`. */
export async function until (check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** A metric's value (the sum over its label sets when `labels` is omitted). */
export async function metric (origin: string, name: string, labels?: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text()
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest.startsWith('{') ? labels === undefined || rest.startsWith(`{${labels}}`) : rest.startsWith(' ') && labels === undefined) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return sum
}
