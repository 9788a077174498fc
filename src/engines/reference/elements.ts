import { TensorInitError } from '../../core/errors.ts'
import { type DType, type IntegerDType, integerRange } from '../../core/dtype.ts'
import { bf16FromF32, f16FromF32 } from '../../random/half-conversion.ts'
import type { SampleOut, SamplerDType } from '../../random/sampler-types.ts'

/**
 * Typed views of a kernel's output buffer and scalar -> element conversions for every dtype.
 * Output buffers are little-endian C-order element bytes; kernels receive them with a byteOffset
 * that is a multiple of 8, so any typed view lines up.
 */

/** A view of `out` for the samplers: float32 values, half bits or float64 values. */
export function samplerView (dtype: SamplerDType, out: Uint8Array): SampleOut {
  switch (dtype) {
    case 'float32': return new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4)
    case 'float16':
    case 'bfloat16': return new Uint16Array(out.buffer, out.byteOffset, out.byteLength / 2)
    case 'float64': return new Float64Array(out.buffer, out.byteOffset, out.byteLength / 8)
  }
}

export function isSamplerDType (dtype: DType): dtype is SamplerDType {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64'
}

/** Throws the service's unsupported-dtype error unless the dtype is one the samplers produce. */
export function requireSamplerDType (dtype: DType, what: string): SamplerDType {
  if (!isSamplerDType(dtype)) throw new TensorInitError('unsupported-dtype', `${what} needs a floating dtype, got ${dtype}`, '/dtype')
  return dtype
}

/**
 * A number as an integer element: truncated toward zero (C's float -> int conversion, which
 * MLX's astype uses), and required to fit the dtype. bool is value != 0.
 */
function integerElement (dtype: IntegerDType, value: number): number | bigint {
  if (dtype === 'bool') return value !== 0 && !Number.isNaN(value) ? 1 : 0
  if (!Number.isFinite(value)) throw new TensorInitError('invalid-parameter', `value ${value} cannot be stored as ${dtype}`)
  const t = Math.trunc(value)
  const [min, max] = integerRange(dtype)
  // The 64-bit bounds are not doubles (2^63 - 1 rounds up to 2^63), so those compare as bigints.
  const wide = dtype === 'int64' || dtype === 'uint64'
  const v = wide ? BigInt(t) : t
  if (v < min || v > max) throw new TensorInitError('invalid-parameter', `value ${value} does not fit ${dtype}`)
  return v
}

/**
 * Fills elements [from, to) of `out` (a whole-range output buffer) with `value` in `dtype`.
 * Float dtypes follow MLX's scalar path, double -> float32 -> dtype (spec b.0); float64 keeps the
 * double (MLX's to_array casts straight to double for float64).
 */
export function fillElements (dtype: DType, value: number, out: Uint8Array, from: number, to: number): void {
  if (to <= from) return
  const { buffer, byteOffset, byteLength } = out
  switch (dtype) {
    case 'float32':
      new Float32Array(buffer, byteOffset, byteLength / 4).fill(Math.fround(value), from, to)
      return
    case 'float16':
      new Uint16Array(buffer, byteOffset, byteLength / 2).fill(f16FromF32(Math.fround(value)), from, to)
      return
    case 'bfloat16':
      new Uint16Array(buffer, byteOffset, byteLength / 2).fill(bf16FromF32(Math.fround(value)), from, to)
      return
    case 'float64':
      new Float64Array(buffer, byteOffset, byteLength / 8).fill(value, from, to)
      return
    default:
      break
  }
  const v = integerElement(dtype, value)
  if (typeof v === 'bigint') {
    const View = dtype === 'int64' ? BigInt64Array : BigUint64Array
    new View(buffer as ArrayBuffer, byteOffset, byteLength / 8).fill(v, from, to)
  } else {
    const View = INT_VIEWS[dtype]!
    new View(buffer as ArrayBuffer, byteOffset, byteLength / View.BYTES_PER_ELEMENT).fill(v, from, to)
  }
}

type IntView = Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor

const INT_VIEWS: Partial<Record<DType, IntView>> = {
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array
}

/**
 * Writes double values (already scaled) into a float dtype view: float32 is one rounding, the
 * halves go double -> float32 -> half (the same chain as every other MLX scalar), float64 as is.
 */
export function writeFloats (dtype: SamplerDType, values: Float64Array, out: SampleOut): void {
  if (out instanceof Float32Array || out instanceof Float64Array) {
    out.set(values)
  } else if (dtype === 'float16') {
    for (let i = 0; i < values.length; i++) out[i] = f16FromF32(Math.fround(values[i]!))
  } else {
    for (let i = 0; i < values.length; i++) out[i] = bf16FromF32(Math.fround(values[i]!))
  }
}
