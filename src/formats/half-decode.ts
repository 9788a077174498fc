/**
 * Half-precision decoding and rounding for the JSON writer.
 *
 * Node 20 has no Float16Array, Math.f16round or DataView#getFloat16 (frameworks-and-formats §4.3),
 * so the two 16-bit formats are decoded by hand. This file is deliberately independent of
 * src/random (which owns the generators' own half conversions): the writer must not change when a
 * sampler does.
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** IEEE 754 binary16 bits -> its exact value (sign, 5-bit exponent bias 15, 10-bit fraction). */
export function float16ToNumber (bits: number): number {
  const sign = (bits & 0x8000) !== 0 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN
  // Subnormals have no implicit leading 1 and the exponent of the smallest normal (-14).
  if (exponent === 0) return sign * fraction * 2 ** -24
  return sign * (1024 + fraction) * 2 ** (exponent - 25)
}

/** bfloat16 bits -> its exact value: bfloat16 is the top half of a float32. */
export function bfloat16ToNumber (bits: number): number {
  u32[0] = (bits & 0xffff) << 16
  return f32[0] as number
}

/** A binary floating-point format, described by what rounding to it needs. */
interface BinaryFormat {
  /** Fraction bits (excluding the implicit leading 1). */
  fractionBits: number
  /** Exponent of the smallest normal number. */
  minExponent: number
  /** Exponent of the largest finite number. */
  maxExponent: number
}

const FLOAT16: BinaryFormat = { fractionBits: 10, minExponent: -14, maxExponent: 15 }
const BFLOAT16: BinaryFormat = { fractionBits: 7, minExponent: -126, maxExponent: 127 }
const FLOAT32: BinaryFormat = { fractionBits: 23, minExponent: -126, maxExponent: 127 }

/**
 * Rounds a double to the nearest value of `format`, ties to even (IEEE 754 roundTiesToEven),
 * overflowing to ±Infinity. Works directly from the double, so there is no double rounding.
 */
function roundToFormat (x: number, format: BinaryFormat): number {
  if (!Number.isFinite(x) || x === 0) return x
  const magnitude = Math.abs(x)
  let exponent = Math.floor(Math.log2(magnitude))
  // Math.log2 may be off by one next to powers of two; settle it exactly.
  if (2 ** exponent > magnitude) exponent--
  else if (2 ** (exponent + 1) <= magnitude) exponent++
  // Below the normal range the spacing stays that of the smallest binade (subnormals).
  const ulp = 2 ** (Math.max(exponent, format.minExponent) - format.fractionBits)
  // magnitude / ulp is exact: dividing by a power of two only shifts the exponent.
  const scaled = magnitude / ulp
  let units = Math.floor(scaled)
  const rest = scaled - units
  if (rest > 0.5 || (rest === 0.5 && units % 2 === 1)) units++
  const rounded = units * ulp
  // The largest finite value is (2 - 2^-p) * 2^maxExponent; anything that rounds above it is inf.
  const largest = (2 - 2 ** -format.fractionBits) * 2 ** format.maxExponent
  const result = rounded > largest ? Infinity : rounded
  return x < 0 ? -result : result
}

export function roundToFloat16 (x: number): number {
  return roundToFormat(x, FLOAT16)
}

export function roundToBfloat16 (x: number): number {
  return roundToFormat(x, BFLOAT16)
}

/** Same as Math.fround; exported so the tests can check roundToFormat against the platform. */
export function roundToFloat32 (x: number): number {
  return roundToFormat(x, FLOAT32)
}
