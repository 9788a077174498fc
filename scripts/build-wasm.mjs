// Compiles the AssemblyScript kernels in assembly/ to build/wasm/kernels.wasm (plus a .wat text
// listing for review). Run by `npm run build:wasm`, which `npm test` and `npm run build` call.
// No binary is committed: the toolchain (assemblyscript, pinned in devDependencies) is pure npm.
// Skips the compile when the output is newer than every source; `--force` always compiles.
import { mkdir, readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sourceDir = join(root, 'assembly')
const outDir = join(root, 'build', 'wasm')
const outFile = join(outDir, 'kernels.wasm')

async function newestSource () {
  let newest = (await stat(fileURLToPath(import.meta.url))).mtimeMs
  for (const name of await readdir(sourceDir)) {
    newest = Math.max(newest, (await stat(join(sourceDir, name))).mtimeMs)
  }
  return newest
}

async function outputTime () {
  try {
    return (await stat(outFile)).mtimeMs
  } catch {
    return -Infinity
  }
}

const force = process.argv.includes('--force')
if (!force && await outputTime() > await newestSource()) {
  process.exit(0)
}

await mkdir(outDir, { recursive: true })
const { default: asc } = await import('assemblyscript/asc')
const { error } = await asc.main([
  join(sourceDir, 'index.ts'),
  '--outFile', outFile,
  '--textFile', join(outDir, 'kernels.wat'),
  // SIMD128 only: relaxed SIMD does not validate on Node 20 (node-stack-notes §4.4)
  '--enable', 'simd',
  '-O3', '--noAssert',
  // the kernels never allocate: no GC, no allocator
  '--runtime', 'stub',
  '--initialMemory', '4',
  // AS112: v128 values cross module boundaries inside the build only; the wasm exports take scalars
  '--disableWarning', '112'
], { stdout: process.stdout, stderr: process.stderr })
if (error) {
  console.error(`build-wasm: ${error.message}`)
  process.exit(1)
}
console.log(`build-wasm: ${outFile}`)
