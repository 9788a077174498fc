// Compiles src/ to dist/ with tsc (tsconfig.build.json), unless dist/ is already newer than every
// input: `npm start` runs this before starting, and a start with nothing changed must not spend
// seconds recompiling (issue 13). Inputs: every file under src/, the tsconfig files, package.json
// (the module type and dependencies). `--force` always compiles.
import { spawnSync } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const stamp = join(root, 'dist', '.build-stamp')

async function newestInput () {
  let newest = (await stat(fileURLToPath(import.meta.url))).mtimeMs
  for (const name of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
    newest = Math.max(newest, (await stat(join(root, name))).mtimeMs)
  }
  for (const entry of await readdir(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs)
  }
  return newest
}

async function stampTime () {
  try {
    return (await stat(stamp)).mtimeMs
  } catch {
    return -Infinity
  }
}

if (!process.argv.includes('--force') && await stampTime() > await newestInput()) process.exit(0)

// The stamp's time is taken before compiling, so an edit made during the compile counts as newer.
const started = new Date()
// node_modules/.bin/tsc: the compiler `npm run lint` type-checks with (package.json devDependencies).
const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
const { writeFile, utimes } = await import('node:fs/promises')
await writeFile(stamp, `${started.toISOString()}\n`)
await utimes(stamp, started, started)
