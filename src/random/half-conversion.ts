/**
 * float32 <-> float16 / bfloat16 exactly as MLX's CPU types do it on x86 (spec b.0).
 *
 * Inputs are JS numbers holding float32 values; a double that is not a float32 is first rounded
 * to float32 (as C++ `float` would be), because MLX only ever converts float -> half.
 * Half -> float32 is exact, so it is a table lookup (f16) or a shift (bf16).
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** IEEE bits of fround(x). */
export function f32Bits (x: number): number {
  f32[0] = x
  return u32[0]!
}

/** The float32 value with IEEE bits `bits`. */
export function f32FromBits (bits: number): number {
  u32[0] = bits
  return f32[0]!
}

const TWO_112 = 2 ** 112
const TWO_M110 = 2 ** -110

/**
 * float32 -> float16 bits exactly as MLX's `_MLX_Float16(float)` (Maratyszcza's "magic"
 * conversion): round-to-nearest-even with correct subnormals and overflow to +-inf, and NaN ->
 * sign | 0x7D00 (MLX's quirk, not 0x7E00). This is the literal port, kept as the specification;
 * f16FromF32 computes the same bits with integer operations only (checked exhaustively against
 * this one over all 2^32 inputs, and in test/random/half.test.ts against an independent RNE).
 */
export function f16FromF32Magic (x: number): number {
  f32[0] = x
  const bits = u32[0]!
  const sign = (bits >>> 16) & 0x8000
  const mag = bits & 0x7fffffff
  if (mag > 0x7f800000) return sign | 0x7d00
  const ax = Math.abs(f32[0]!)
  let expo = mag & 0x7f800000
  if (expo < 0x38800000) expo = 0x38800000
  expo = (expo + (15 << 23)) >>> 0
  const base = Math.fround(Math.fround(ax * TWO_112) * TWO_M110)
  u32[0] = expo
  f32[0] = Math.fround(f32[0]! + base)
  const m = u32[0]!
  return sign | (((m >>> 13) & 0x7c00) + (m & 0x0fff))
}

/**
 * float32 -> float16 bits, the same function as f16FromF32Magic with integer operations only
 * (about twice as fast; it sits in the inner loop of the mlx-0.32 half samplers).
 * Normal halves: drop 13 mantissa bits and round to nearest even; a carry into the exponent is
 * the correct next binade, and past 65504 it lands on 0x7C00 = inf. Subnormal halves: shift the
 * full significand right and round the same way.
 */
export function f16FromF32 (x: number): number {
  f32[0] = x
  const bits = u32[0]!
  const sign = (bits >>> 16) & 0x8000
  const mag = bits & 0x7fffffff
  if (mag >= 0x47800000) { // |x| >= 65536, inf or NaN
    return mag > 0x7f800000 ? sign | 0x7d00 : sign | 0x7c00
  }
  if (mag >= 0x38800000) { // |x| >= 2^-14: a normal half (or overflow to inf by rounding)
    const h = (mag - 0x38000000) >>> 13 // rebias the exponent by 112 and keep 10 mantissa bits
    const rest = mag & 0x1fff
    return sign | (h + (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1) ? 1 : 0))
  }
  if (mag < 0x33000000) return sign // |x| < 2^-25 rounds to zero (2^-25 itself is a tie to even 0)
  // subnormal half: value = significand * 2^(e - 150); units of 2^-24 need a shift of 126 - e
  const e = mag >>> 23
  const significand = (mag & 0x7fffff) | 0x800000
  const shift = 126 - e
  const h = significand >>> shift
  const rest = significand & ((1 << shift) - 1)
  const halfway = 1 << (shift - 1)
  return sign | (h + (rest > halfway || (rest === halfway && (h & 1) === 1) ? 1 : 0))
}

/** float32 -> bfloat16 bits, MLX's `_MLX_BFloat16(float)`: nearest-even on the top 16 bits; NaN -> 0x7FC0. */
export function bf16FromF32 (x: number): number {
  f32[0] = x
  const bits = u32[0]!
  if ((bits & 0x7fffffff) > 0x7f800000) return 0x7fc0
  return ((bits + ((bits >>> 16) & 1) + 0x7fff) >>> 16) & 0xffff
}

/** float16 bits -> float32 value (exact), via a 65 536-entry table built once. */
export const F16_TO_F32: Float32Array = buildF16Table()

function buildF16Table (): Float32Array {
  // Built from bit patterns (not sign * value) so negative NaNs keep their sign bit.
  const table = new Float32Array(65536)
  const bits = new Uint32Array(table.buffer)
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16
    const e = (h >>> 10) & 0x1f
    const m = h & 0x3ff
    if (e === 0) {
      table[h] = m * 2 ** -24 // zero or subnormal: exact in float32
      bits[h] = (bits[h]! | sign) >>> 0
    } else if (e === 31) {
      bits[h] = (sign | 0x7f800000 | (m << 13)) >>> 0
    } else {
      bits[h] = (sign | ((e + 112) << 23) | (m << 13)) >>> 0
    }
  }
  return table
}

export function f16ToF32 (h: number): number {
  return F16_TO_F32[h & 0xffff]!
}

/** bfloat16 bits -> float32 value (exact): the bits are the top half of a float32. */
export function bf16ToF32 (h: number): number {
  u32[0] = (h & 0xffff) << 16
  return f32[0]!
}

/** fround then round to float16 and back: the float32 value of D(x) for D = float16. */
export function roundF16 (x: number): number {
  return F16_TO_F32[f16FromF32(x)]!
}

/** fround then round to bfloat16 and back: the float32 value of D(x) for D = bfloat16. */
export function roundBf16 (x: number): number {
  return bf16ToF32(bf16FromF32(x))
}

/** The half dtypes, which share "float32 op, then round" arithmetic (spec b.0). */
export type HalfDType = 'float16' | 'bfloat16'

/** float32 value -> bits in the half dtype. */
export function halfFromF32 (dtype: HalfDType, x: number): number {
  return dtype === 'float16' ? f16FromF32(x) : bf16FromF32(x)
}

/** Bits in the half dtype -> float32 value. */
export function halfToF32 (dtype: HalfDType, h: number): number {
  return dtype === 'float16' ? F16_TO_F32[h & 0xffff]! : bf16ToF32(h)
}

/** D(x): round to the half dtype, as a float32 value. */
export function roundHalf (dtype: HalfDType, x: number): number {
  return dtype === 'float16' ? roundF16(x) : roundBf16(x)
}
