import { fileURLToPath } from 'node:url'

/**
 * How to start an engine's worker thread. Worker threads load files with Node's own loader: from
 * the TypeScript sources (tests, `npm run dev`) the entry is a .ts file, which Node 20 only runs
 * with tsx's loader (node-stack-notes §4.3); from the build it is the compiled .js beside it in
 * dist/. The URL of the module asking (its `import.meta.url`) tells which of the two is running.
 */
export interface WorkerEntry {
  filename: string
  execArgv: string[]
}

/** The worker file `name` (without extension) in the same folder as `moduleUrl`. */
export function workerEntry (name: string, moduleUrl: string): WorkerEntry {
  const fromSource = moduleUrl.endsWith('.ts')
  const file = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, moduleUrl)
  return {
    filename: fileURLToPath(file),
    execArgv: fromSource ? ['--import', 'tsx'] : []
  }
}
