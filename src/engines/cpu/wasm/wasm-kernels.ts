import { itemSize } from '../../../core/dtype.ts'
import { elementCount, type Key, type Plan } from '../../../core/plan.ts'
import type { MlxTruncatedNormalRecipe, NormalRecipe, UniformRecipe } from '../../../core/recipe.ts'
import { ABOVE_MINUS_ONE, BELOW_ONE, scalarTo } from '../../../random/dtype-math.ts'
import type { HalfDType } from '../../../random/half-conversion.ts'
import { normalF32Coefficients, normalLut013, normalLut032 } from '../../../random/normal.ts'
import { truncatedBounds, truncatedLut013, truncatedLut032 } from '../../../random/truncated-normal.ts'
import { uniformLut013, uniformLut032 } from '../../../random/uniform.ts'
import {
  ERFINV_ADD, ERFINV_CLIP, ERFINV_SECOND, KIND_BF16, KIND_F16, type KernelExports
} from './kernel-module.ts'

/**
 * Runs a plan's element range on the WebAssembly SIMD kernels, for the recipes that have one:
 * MLX's uniform, normal and truncated normal in float32, float16 and bfloat16 under both
 * profiles. Each path mirrors one reference sampler of src/random and reuses its scalars and its
 * 65 536-entry tables (built by the reference code itself), so only the per-element float32
 * work (Threefry, uniform, erfinv) runs in wasm. Everything else returns undefined and goes to
 * the reference kernels. test/wasm compares both over millions of elements per dtype and profile.
 */
export class WasmKernels {
  readonly #k: KernelExports
  /** The table currently in wasm memory, so consecutive chunks of one tensor copy it once. */
  #lut: Uint16Array | undefined

  constructor (exports: KernelExports) {
    this.#k = exports
  }

  /** Whether `run` has a kernel for the plan (a pure function of the recipe kind and dtype). */
  static supports (plan: Plan): boolean {
    const { kind } = plan.recipe
    const d = plan.dtype
    return (kind === 'uniform' || kind === 'normal' || kind === 'mlx-truncated-normal') &&
      (d === 'float32' || d === 'float16' || d === 'bfloat16')
  }

  /**
   * Little-endian bytes of elements [start, end), or undefined when there is no wasm kernel. With
   * `into` (large enough), the bytes are written at its start and returned as a view of it, rather
   * than into a new buffer.
   */
  run (plan: Plan, start: number, end: number, into?: ArrayBuffer | Uint8Array): Uint8Array | undefined {
    if (!WasmKernels.supports(plan)) return undefined
    const n = end - start
    const length = n * itemSize(plan.dtype)
    let bytes: Uint8Array
    if (into === undefined || into.byteLength < length) bytes = uninitialized(length)
    else bytes = into instanceof Uint8Array ? into.subarray(0, length) : new Uint8Array(into, 0, length)
    if (n === 0) return bytes
    const out = this.#k.reserve(bytes.byteLength)
    const recipe = plan.recipe
    const dtype = plan.dtype as 'float32' | HalfDType
    const key = plan.keys[0]
    if (key === undefined) throw new Error(`plan for ${recipe.kind} carries no key`)
    const total = elementCount(plan.shape)
    if (recipe.kind === 'uniform') this.#uniform(plan, recipe, dtype, key, total, start, n, out)
    else if (recipe.kind === 'normal') this.#normal(plan, recipe, dtype, key, total, start, n, out)
    else if (recipe.kind === 'mlx-truncated-normal') this.#truncated(plan, recipe, dtype, key, total, start, n, out)
    bytes.set(new Uint8Array(this.#k.memory.buffer, out, bytes.byteLength))
    return bytes
  }

  /** A draw of `words` 32-bit words (spec b.4 takes half = floor(W / 2) and odd = W % 2). */
  #draw (key: Key, words: number): void {
    this.#k.setDraw(key[0], key[1], Math.floor(words / 2), words % 2)
  }

  #setLut (lut: Uint16Array): void {
    if (this.#lut === lut) return
    new Uint16Array(this.#k.memory.buffer, this.#k.lutAddress(), 65536).set(lut)
    this.#lut = lut
  }

  /** mlx-0.13 half dtypes: 16-bit draws, two per word (spec b.4), each mapped by the table. */
  #lut16 (key: Key, total: number, start: number, n: number, out: number, lut: Uint16Array): void {
    this.#draw(key, Math.ceil(total / 2))
    this.#setLut(lut)
    this.#k.lut16(start, n, out)
  }

  #uniform (plan: Plan, recipe: UniformRecipe, dtype: 'float32' | HalfDType, key: Key, total: number, start: number, n: number, out: number): void {
    if (dtype === 'float32') {
      const lo = Math.fround(recipe.low)
      this.#draw(key, total)
      this.#k.uniformF32(start, n, out, lo, Math.fround(Math.fround(recipe.high) - lo))
      return
    }
    const lo = scalarTo(dtype, recipe.low)
    const hi = scalarTo(dtype, recipe.high)
    if (plan.profile === 'mlx-0.13') {
      this.#lut16(key, total, start, n, out, uniformLut013(dtype, lo, hi))
      return
    }
    this.#draw(key, total)
    this.#setLut(uniformLut032(dtype, lo, hi))
    this.#k.unitLut(start, n, out, halfKind(dtype), BELOW_ONE[dtype])
  }

  #normal (plan: Plan, recipe: NormalRecipe, dtype: 'float32' | HalfDType, key: Key, total: number, start: number, n: number, out: number): void {
    const { loc, scale } = recipe
    if (dtype !== 'float32') {
      if (plan.profile === 'mlx-0.13') {
        this.#lut16(key, total, start, n, out, normalLut013(dtype, loc ?? 0, scale ?? 1))
        return
      }
      this.#draw(key, total)
      this.#setLut(normalLut032(dtype, loc, scale))
      this.#k.erfinvLut(start, n, out, halfKind(dtype), ABOVE_MINUS_ONE.float32, 2)
      return
    }
    // The scalars of normalF32 (src/random/normal.ts), from the same function: spec b.6 / b.13.
    const c = normalF32Coefficients(plan.profile, loc, scale)
    const flags = (c.hasSecond ? ERFINV_SECOND : 0) | (c.hasAdd ? ERFINV_ADD : 0)
    this.#draw(key, total)
    // x = 2u - (1 - 2^-24): the uniform on [nextafter(-1, 0), 1) whose range is exactly 2 (spec b.6)
    this.#k.erfinvF32(start, n, out, ABOVE_MINUS_ONE.float32, 2, flags, c.first, c.second, c.addend, 0, 0)
  }

  #truncated (plan: Plan, recipe: MlxTruncatedNormalRecipe, dtype: 'float32' | HalfDType, key: Key, total: number, start: number, n: number, out: number): void {
    if (dtype !== 'float32') {
      if (plan.profile === 'mlx-0.13') {
        this.#lut16(key, total, start, n, out, truncatedLut013(dtype, recipe.lower, recipe.upper))
        return
      }
      this.#draw(key, total)
      this.#setLut(truncatedLut032(dtype, recipe.lower, recipe.upper))
      this.#k.unitLut(start, n, out, halfKind(dtype), BELOW_ONE[dtype])
      return
    }
    // truncatedNormalF32: x = RN32(RN32(range * u) + a), out = clip(RN32(s2 * erfinv(x)), lt, ut)
    const { s2, lt, ut, a, b } = truncatedBounds(plan.profile, 'float32', recipe.lower, recipe.upper)
    this.#draw(key, total)
    this.#k.erfinvF32(start, n, out, a, Math.fround(b - a), ERFINV_CLIP, s2, 1, 0, lt, ut)
  }
}

/**
 * A fresh buffer that run() overwrites completely. Not zero-filled: a zeroed allocation of a few
 * MiB per chunk comes as fresh kernel pages, faulted in while the kernel's bytes are copied, and
 * measured at 160-190 M float32 uniforms/s for two workers against 280-290 M/s with this (both
 * transferring each chunk to the main thread). Not from Buffer's shared pool either: the result
 * is transferred, and pooled memory cannot be.
 */
function uninitialized (length: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(length)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length)
}

function halfKind (dtype: HalfDType): number {
  return dtype === 'float16' ? KIND_F16 : KIND_BF16
}
