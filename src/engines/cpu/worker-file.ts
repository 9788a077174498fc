import { fileURLToPath } from 'node:url'

/**
 * The cpu engine's worker entry and how to start it. Worker threads load files with Node's own
 * loader: from the TypeScript sources (tests, `npm run dev`) the entry is a .ts file, which Node
 * 20 only runs with tsx's loader (node-stack-notes §4.3); from the build it is dist/workers/*.js.
 * This module's own URL tells which of the two is running.
 */
export interface WorkerEntry {
  filename: string
  execArgv: string[]
}

export function cpuWorkerEntry (moduleUrl: string = import.meta.url): WorkerEntry {
  const fromSource = moduleUrl.endsWith('.ts')
  const file = new URL(`../../workers/cpu-worker.${fromSource ? 'ts' : 'js'}`, moduleUrl)
  return {
    filename: fileURLToPath(file),
    execArgv: fromSource ? ['--import', 'tsx'] : []
  }
}
