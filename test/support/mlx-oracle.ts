import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Key } from '../../src/core/plan.ts'

/**
 * Real MLX as a test oracle: @frost-beta/mlx 0.0.7 (MLX 0.13.1+, Linux CPU build), loaded through
 * createRequire because it is a CommonJS native addon. Arrays cross over as .npy files in a
 * private directory under /dev/shm (about 8 ms per million values, versus 0.3 s for tolist()).
 *
 * When the binding cannot load, `oracleUnavailableReason` says why. Suites declared with
 * `describeOracle` then skip with a visible warning, except under CI (process.env.CI set), where
 * they fail: CI must prove bit-exactness against the real binary, not silently skip it.
 */

/** The parts of node-mlx's `core` namespace the tests use (loosely typed: it is a native module). */
export interface MxArray {
  shape: number[]
  dtype: unknown
  size: number
  index: (...i: unknown[]) => MxArray
  astype: (dtype: unknown) => MxArray
  reshape: (shape: number[]) => MxArray
  tolist: () => unknown
}
type AnyFn = (...args: any[]) => MxArray
export interface MxRandom {
  key: (seed: number) => MxArray
  seed: (seed: number) => void
  split: (key: MxArray, num?: number) => MxArray
  uniform: AnyFn
  normal: AnyFn
  truncatedNormal: AnyFn
  [name: string]: (...args: any[]) => unknown
}
export type Mx = { random: MxRandom } & Record<string, any>
type Initializer = (...args: any[]) => (a: MxArray, ...rest: any[]) => MxArray
export interface MlxModule {
  core: Mx
  nn: {
    init: {
      constant: Initializer
      normal: Initializer
      uniform: Initializer
      identity: Initializer
      glorotNormal: Initializer
      glorotUniform: Initializer
      heNormal: Initializer
      heUniform: Initializer
    }
  }
}

let loaded: MlxModule | undefined
let reason: string | undefined
try {
  // MLX_ORACLE_DISABLE=1 simulates a machine without the binding (to check the skip/fail paths).
  if (process.env.MLX_ORACLE_DISABLE === '1') throw new Error('disabled by MLX_ORACLE_DISABLE=1')
  const require = createRequire(import.meta.url)
  loaded = require('@frost-beta/mlx') as MlxModule
  // Touch the native module so a broken build fails here, not inside a test.
  loaded.core.random.key(0).tolist()
} catch (err) {
  loaded = undefined
  reason = err instanceof Error ? err.message : String(err)
}

/** Why MLX is not usable here, or undefined when it is. */
export const oracleUnavailableReason: string | undefined = reason

export function mlx (): MlxModule {
  if (loaded === undefined) throw new Error(`MLX oracle unavailable: ${reason}`)
  return loaded
}

/**
 * describe() for suites that need real MLX: skipped with a warning locally when it cannot load,
 * failing under CI.
 */
export function describeOracle (name: string, body: () => void): void {
  if (reason === undefined) {
    describe(name, () => {
      // vitest may end worker processes without an 'exit' event: clean up with the suite.
      afterAll(removeScratchDir)
      body()
    })
  } else if (process.env.CI !== undefined && process.env.CI !== '') {
    describe(name, () => {
      it('needs the MLX oracle (@frost-beta/mlx), which must load in CI', () => {
        expect.fail(`MLX oracle unavailable: ${reason}`)
      })
    })
  } else {
    console.warn(`[mlx-oracle] skipping "${name}": MLX unavailable (${reason})`)
    describe.skipIf(true)(name, body)
  }
}

// ---- element comparison counting -------------------------------------------------------------

let compared = 0

/** Elements compared against MLX in this test process. */
export function oracleComparisons (): number {
  return compared
}

/** Records n elements compared bit for bit against MLX. */
export function countComparisons (n: number): void {
  compared += n
}

// ---- array exchange ------------------------------------------------------------------------

let dir: string | undefined
let seq = 0

function scratchDir (): string {
  if (dir === undefined) {
    let base = '/dev/shm'
    try {
      dir = mkdtempSync(join(base, 'tensor-init-oracle-'))
    } catch {
      base = tmpdir()
      dir = mkdtempSync(join(base, 'tensor-init-oracle-'))
    }
    process.once('exit', removeScratchDir)
  }
  return dir
}

/** Removes this process's exchange directory (files are deleted as soon as they are read). */
export function removeScratchDir (): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  dir = undefined
}

function nextPath (): string {
  seq++
  return join(scratchDir(), `a${process.pid}-${seq}.npy`)
}

/** The raw little-endian element bytes of an MLX array, flattened in C order, with its npy descr. */
export function pullBytes (arr: MxArray): { descr: string, bytes: Uint8Array } {
  const mx = mlx().core
  // Flatten first: MLX writes 'fortran_order': True for some layouts; a 1-D array has one order.
  const flat = mx.reshape(arr, [-1]) as MxArray
  const path = nextPath()
  mx.save(path, flat)
  const file = readFileSync(path)
  rmSync(path, { force: true })
  const headerLen = file.readUInt16LE(8)
  const header = file.subarray(10, 10 + headerLen).toString('latin1')
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  if (descr === undefined) throw new Error(`unparsable npy header ${header}`)
  // Copy into a fresh, aligned buffer (readFileSync buffers can be pooled and unaligned).
  const bytes = new Uint8Array(file.length - 10 - headerLen)
  bytes.set(file.subarray(10 + headerLen))
  return { descr, bytes }
}

/** float32 arrays as Uint32 bit patterns; float16/bfloat16 ('<f2' / '<V2') as Uint16 bit patterns. */
export function pullBits (arr: MxArray): Uint32Array | Uint16Array {
  const { descr, bytes } = pullBytes(arr)
  if (descr === '<f4' || descr === '<u4' || descr === '<i4') return new Uint32Array(bytes.buffer, 0, bytes.byteLength / 4)
  if (descr === '<f2' || descr === '<V2' || descr === '<u2') return new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2)
  throw new Error(`unexpected npy dtype ${descr}`)
}

/** Element values as float64 (float32/float16/int32/uint32 npy), for things like argsort results. */
export function pullNumbers (arr: MxArray): Float64Array {
  const { descr, bytes } = pullBytes(arr)
  const b = bytes.buffer
  switch (descr) {
    case '<f4': return Float64Array.from(new Float32Array(b, 0, bytes.byteLength / 4))
    case '<u4': return Float64Array.from(new Uint32Array(b, 0, bytes.byteLength / 4))
    case '<i4': return Float64Array.from(new Int32Array(b, 0, bytes.byteLength / 4))
    default: throw new Error(`pullNumbers: unsupported npy dtype ${descr}`)
  }
}

/** A float32 MLX array holding exactly these float32 values (via an .npy file: mx.array of JS numbers would be fine too, but slow). */
export function pushFloat32 (values: Float32Array): MxArray {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${values.length},), }`
  const pad = 64 - ((10 + header.length + 1) % 64)
  const h = header + ' '.repeat(pad % 64) + '\n'
  const file = Buffer.alloc(10 + h.length + values.byteLength)
  file.write('\x93NUMPY', 0, 'latin1')
  file[6] = 1
  file[7] = 0
  file.writeUInt16LE(h.length, 8)
  file.write(h, 10, 'latin1')
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(file, 10 + h.length)
  const path = nextPath()
  writeFileSync(path, file)
  const arr = mlx().core.load(path) as MxArray
  // Materialize before the file goes away (MLX arrays are lazy).
  mlx().core.eval(arr)
  rmSync(path, { force: true })
  return arr
}

/**
 * A uint32 key array [k0, k1] for any key, built from 16-bit halves with uint32 arithmetic:
 * mx.array(numbers, uint32) goes through float32 and corrupts values above 2^24 (spec pitfall 11).
 */
export function mlxKey (key: Key): MxArray {
  const mx = mlx().core
  const hi = mx.array([key[0] >>> 16, key[1] >>> 16], mx.uint32)
  const lo = mx.array([key[0] & 0xffff, key[1] & 0xffff], mx.uint32)
  return mx.add(mx.multiply(hi, mx.array(65536, mx.uint32)), lo) as MxArray
}

/** The MLX dtype object for a dtype name. */
export function mlxDType (dtype: 'float32' | 'float16' | 'bfloat16'): unknown {
  return mlx().core[dtype]
}
