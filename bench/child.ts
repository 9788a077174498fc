import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Bench processes: each part runs in its own Node process (the HTTP client apart from the server,
 * MLX apart from both) and reports one JSON line on stdout. TypeScript entries run through tsx,
 * as `npm run bench` itself does.
 */

export function benchFile (name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url))
}

export function spawnBench (name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', benchFile(name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env }
  })
}

/** The first JSON line the process prints (resolves as soon as it appears). */
export async function firstJsonLine<T> (child: ChildProcess): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    let buffered = ''
    const onData = (data: Buffer): void => {
      buffered += data.toString('utf8')
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line.startsWith('{')) {
          child.stdout?.off('data', onData)
          resolve(JSON.parse(line) as T)
          return
        }
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`bench process ${child.spawnargs.join(' ')} exited with ${String(code)} before reporting`)))
  })
}

/** Runs a bench process to completion and returns its JSON report. */
export async function runBench<T> (name: string, args: string[], env?: Record<string, string>): Promise<T> {
  const child = spawnBench(name, args, env)
  const report = await firstJsonLine<T>(child)
  await new Promise((resolve) => child.once('exit', resolve))
  return report
}

export function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
