import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The compiled AssemblyScript kernels (assembly/, built by scripts/build-wasm.mjs into
 * build/wasm/kernels.wasm). Both src/engines/cpu/wasm/*.ts and dist/engines/cpu/wasm/*.js sit four
 * levels below the package root, so one relative URL serves the sources and the build.
 */
export const KERNELS_WASM = fileURLToPath(new URL('../../../../build/wasm/kernels.wasm', import.meta.url))

/**
 * The slice of the WebAssembly JS API used here. TypeScript declares WebAssembly only in the DOM
 * library, which this Node project does not load.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown }
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' }
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** The exports of assembly/index.ts. Pointers and u32 arguments are plain numbers. */
export interface KernelExports {
  memory: { readonly buffer: ArrayBuffer }
  setDraw (k0: number, k1: number, half: number, odd: number): void
  fillWords (start: number, units: number, dst: number): void
  reserve (bytes: number): number
  lutAddress (): number
  uniformF32 (start: number, n: number, out: number, lo: number, range: number): void
  unitLut (start: number, n: number, out: number, kind: number, top: number): void
  erfinvF32 (start: number, n: number, out: number, lo: number, range: number,
    flags: number, first: number, second: number, addend: number, clipLo: number, clipHi: number): void
  erfinvLut (start: number, n: number, out: number, kind: number, lo: number, range: number): void
  lut16 (start: number, n: number, out: number): void
}

/** Flags of erfinvF32 (assembly/index.ts SECOND, ADD, CLIP). */
export const ERFINV_SECOND = 1
export const ERFINV_ADD = 2
export const ERFINV_CLIP = 4

/** Output kinds of the half-dtype kernels (assembly/half.ts). */
export const KIND_F16 = 1
export const KIND_BF16 = 2

const compiled = new Map<string, WasmModule>()

/**
 * A fresh instance of the kernels (each worker thread owns one: the kernels keep their draw and
 * scratch in module globals). Compiled synchronously once per thread; throws when the file is
 * missing (not built) or the engine lacks SIMD128.
 */
export function instantiateKernels (path: string = KERNELS_WASM): KernelExports {
  let module = compiled.get(path)
  if (module === undefined) {
    module = new wasmApi.Module(readFileSync(path))
    compiled.set(path, module)
  }
  const instance = new wasmApi.Instance(module, {
    env: {
      // AssemblyScript's abort hook; the kernels are built with --noAssert and never call it
      abort (): never { throw new Error('wasm kernel aborted') }
    }
  })
  return instance.exports as unknown as KernelExports
}
