import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'undici'
import { describe, expect, test } from 'vitest'

const root = new URL('../../', import.meta.url).pathname
const MiB = 2 ** 20

interface Server { child: ChildProcess, origin: string, output: () => string, exited: Promise<number | null> }

/** Starts src/server.ts as its own process (what `npm start` runs, from the sources). */
async function startServer (env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', WORKER_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let text = ''
  child.stdout?.on('data', (d: Buffer) => { text += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { text += d.toString() })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const deadline = Date.now() + 60_000
  for (;;) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)
    if (match !== null) return { child, origin: match[1] as string, output: () => text, exited }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${text}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function run (env: Record<string, string>): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const [code] = await once(child, 'exit')
  return { code: code as number | null, output }
}

describe('src/server.ts', () => {
  test('bad configuration stops the process at start, naming each variable', async () => {
    const { code, output } = await run({ PORT: 'eighty', MAX_BYTES: '-1' })
    expect(code).toBe(1)
    expect(output).toContain('Invalid configuration:')
    expect(output).toContain('PORT="eighty": must be an integer in [0, 65535].')
    expect(output).toContain('MAX_BYTES="-1": must be an integer')
  }, 60_000)

  test('ENGINE=remote without WORKER_HOSTS stops the process at start, naming the variable', async () => {
    const { code, output } = await run({ ENGINE: 'remote', WORKER_HOSTS: '' })
    expect(code).toBe(1)
    expect(output).toContain('Invalid configuration:')
    expect(output).toContain('ENGINE=remote needs WORKER_HOSTS')
  }, 60_000)

  test('an unusable engine option stops the process at start with its message, before listening', async () => {
    const { code, output } = await run({ ENGINE: 'remote', WORKER_HOSTS: 'ftp://a:1' })
    expect(code).toBe(1)
    expect(output).toContain("tensor-init cannot start: worker host 'ftp://a:1' must use http or https.")
    expect(output).not.toContain('Server listening')
  }, 60_000)

  test('SIGTERM: in-flight streams finish within the grace delay, those that cannot are cut, the process exits', async () => {
    const server = await startServer({ SHUTDOWN_GRACE_MS: '6000' })
    // A: 8 MiB read promptly. B: 1 GiB read by a client that stops reading; it cannot finish.
    const a = await request(`${server.origin}/v1/tensors/constant?shape=2097152&value=1`)
    const b = await request(`${server.origin}/v1/tensors/constant?shape=268435456&value=1`)
    const bRead = new Promise<number>((resolve, reject) => {
      let received = 0
      let stalled = false
      b.body.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (!stalled && received > 2 * MiB) {
          stalled = true
          b.body.pause()
        }
      })
      b.body.once('end', () => resolve(received))
      b.body.once('error', reject)
    })
    bRead.catch(() => {})
    // Let B fill the socket buffers and stall.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const started = Date.now()
    server.child.kill('SIGTERM')
    const aBody = Buffer.from(await a.body.arrayBuffer())
    expect(aBody.length).toBe(8 * MiB)
    const code = await server.exited
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(code).toBe(0)
    // B was cut: reading on ends in an error, never in a clean end short of Content-Length.
    b.body.resume()
    await expect(bRead).rejects.toThrow()
    expect(server.output()).toContain('closing: finishing in-flight responses')
    expect(server.output()).toContain('cutting the responses still streaming')
  }, 90_000)
})
