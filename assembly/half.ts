/**
 * float32 -> float16 / bfloat16 bits on four lanes, exactly as MLX's CPU types convert
 * (spec b.0). The half-dtype kernels turn a float32 value into these bits and look the output
 * up in a 65 536-entry table built by the reference samplers (src/random).
 */

export const F16: i32 = 1
export const BF16: i32 = 2

/**
 * float32 -> float16 bits (in i32 lanes), MLX's `_MLX_Float16(float)` "magic" conversion:
 * e = max(bits & 0x7f800000, 0x38800000) + (15 << 23);
 * m = RN32(asfloat(e) + RN32(RN32(|x| * 2^112) * 2^-110));
 * h = sign | (((m >> 13) & 0x7c00) + (m & 0x0fff)); NaN becomes sign | 0x7d00 (MLX's quirk).
 */
export function f16Bits (x: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), i32x4.splat(0x8000))
  const mag = v128.and(x, i32x4.splat(0x7fffffff))
  const e = i32x4.add(i32x4.max_u(v128.and(mag, i32x4.splat(0x7f800000)), i32x4.splat(0x38800000)), i32x4.splat(15 << 23))
  const base = f32x4.mul(f32x4.mul(mag, f32x4.splat(reinterpret<f32>(0x77800000))), f32x4.splat(reinterpret<f32>(0x08800000)))
  const m = f32x4.add(e, base)
  const h = v128.or(sign, i32x4.add(v128.and(i32x4.shr_u(m, 13), i32x4.splat(0x7c00)), v128.and(m, i32x4.splat(0x0fff))))
  return v128.bitselect(v128.or(sign, i32x4.splat(0x7d00)), h, i32x4.gt_u(mag, i32x4.splat(0x7f800000)))
}

/** float32 -> bfloat16 bits, MLX's `_MLX_BFloat16(float)`: nearest even on the top half; NaN -> 0x7FC0. */
export function bf16Bits (x: v128): v128 {
  const r = i32x4.shr_u(i32x4.add(x, i32x4.add(v128.and(i32x4.shr_u(x, 16), i32x4.splat(1)), i32x4.splat(0x7fff))), 16)
  const nan = i32x4.gt_u(v128.and(x, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000))
  return v128.bitselect(i32x4.splat(0x7fc0), r, nan)
}

/** Bits of four float32 values in `kind` (F16 or BF16). */
export function halfBits (x: v128, kind: i32): v128 {
  return kind === F16 ? f16Bits(x) : bf16Bits(x)
}
