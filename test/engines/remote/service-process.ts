import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/

export interface ServiceProcess {
  origin: string
  pid: number
  child: ChildProcess
  /** stdout and stderr so far (pino JSON lines), for failure messages. */
  output: () => string
  signal: (signal: NodeJS.Signals) => void
  /** SIGCONT if stopped, then SIGKILL; resolves when the process is gone. */
  kill: () => Promise<void>
}

/**
 * Starts `node --import tsx src/server.ts` (the real service, as `npm run dev` does) on 127.0.0.1
 * port 0, and resolves with the origin it logs ("Server listening at ...").
 */
export async function startService (env: Record<string, string> = {}, timeoutMs = 90_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGCONT')
    child.kill('SIGKILL')
    await exited
  }
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`service did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    let listening = false
    const onData = (data: Buffer): void => {
      // Request logs keep coming: keep the tail only (the pipe is drained either way).
      output = (output + data.toString()).slice(-64 * 1024)
      if (listening) return
      const match = LISTENING.exec(output)
      if (match !== null) {
        listening = true
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`service exited (${String(code ?? signal)}) before listening:\n${output}`))
    })
  }).catch(async (err: unknown) => {
    await kill()
    throw err
  })
  return {
    origin,
    pid: child.pid as number,
    child,
    output: () => output,
    signal: (signal) => { child.kill(signal) },
    kill
  }
}
