import type { Plan } from '../../core/plan.ts'
import { KERNELS_WASM, instantiateKernels } from './wasm/kernel-module.ts'
import { WasmKernels } from './wasm/wasm-kernels.ts'
import { executeRange } from '../reference/index.ts'

/**
 * What a cpu worker thread runs for one chunk: the WebAssembly SIMD kernel when the plan has one
 * (bit-identical to the reference, test/wasm proves it), the reference kernel otherwise.
 */

/** 'auto' uses the wasm kernels when they load; 'reference' never does (for comparisons). */
export type KernelMode = 'auto' | 'reference'

/** Which kernels a worker actually runs. */
export type KernelSet = 'wasm-simd' | 'reference'

export interface ChunkTask {
  plan: Plan
  start: number
  end: number
  /** A buffer from an earlier chunk of the same stream, transferred back for reuse (cpu-engine.ts). */
  buffer?: ArrayBuffer
  /**
   * Whole-matrix tasks: an Int32Array over a SharedArrayBuffer the main thread sets to 1 on abort;
   * the reference kernels stop between Householder columns (reference/cancellation.ts).
   */
  cancel?: Int32Array
}

export class ChunkExecutor {
  readonly kernels: KernelSet
  /** Why the wasm kernels are not in use, when mode was 'auto' and they failed to load. */
  readonly fallbackReason: string | undefined
  readonly #wasm: WasmKernels | undefined

  /** `wasmFile`: the compiled kernels (default build/wasm/kernels.wasm). */
  constructor (mode: KernelMode, wasmFile: string = KERNELS_WASM) {
    let wasm: WasmKernels | undefined
    let reason: string | undefined
    if (mode === 'auto') {
      try {
        wasm = new WasmKernels(instantiateKernels(wasmFile))
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err)
      }
    }
    this.#wasm = wasm
    this.kernels = wasm === undefined ? 'reference' : 'wasm-simd'
    this.fallbackReason = reason
  }

  /** The chunk's bytes, written into `into` when a wasm kernel runs and it is large enough. */
  run (plan: Plan, start: number, end: number, into?: ArrayBuffer): Uint8Array {
    return this.#wasm?.run(plan, start, end, into) ?? executeRange(plan, start, end)
  }
}

/**
 * Probes the wasm kernels in the calling thread (the engine does this once at start, so a
 * missing or unloadable build is reported once, not by every worker).
 */
export function probeWasmKernels (wasmFile: string = KERNELS_WASM): string | undefined {
  return new ChunkExecutor('auto', wasmFile).fallbackReason
}
