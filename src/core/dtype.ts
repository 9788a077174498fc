/** Element types the service can emit, with their byte sizes and NumPy/safetensors spellings. */
export const DTYPES = [
  'float32', 'float16', 'bfloat16', 'float64',
  'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'
] as const

export type DType = typeof DTYPES[number]

/** The dtypes MLX's random samplers produce (b.5/b.6 of the MLX random spec). */
export const HALF_AND_SINGLE = ['float32', 'float16', 'bfloat16'] as const
/** Every floating dtype, float64 included (computed by the service's own recipe, not MLX-exact). */
export const FLOAT_DTYPES = ['float32', 'float16', 'bfloat16', 'float64'] as const
export const INTEGER_DTYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'] as const

/** The integer dtypes, bool included (it stores 0 or 1 in a byte). */
export type IntegerDType = typeof INTEGER_DTYPES[number]

const ITEM_SIZE: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1
}

export function itemSize (dtype: DType): number {
  return ITEM_SIZE[dtype]
}

export function isDType (value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value)
}

/**
 * The smallest and largest value of each integer dtype, exactly: two's complement for intN,
 * [0, 2^N - 1] for uintN (NumPy's iinfo), 0 and 1 for bool. Bigints, because the 64-bit bounds
 * are not doubles; callers that take doubles narrow them to their own rule.
 */
const INTEGER_RANGE: Record<IntegerDType, readonly [min: bigint, max: bigint]> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  bool: [0n, 1n]
}

export function integerRange (dtype: IntegerDType): readonly [min: bigint, max: bigint] {
  return INTEGER_RANGE[dtype]
}

export function isIntegerDType (dtype: DType): dtype is IntegerDType {
  return (INTEGER_DTYPES as readonly string[]).includes(dtype)
}

export function isFloatDType (dtype: DType): boolean {
  return (FLOAT_DTYPES as readonly string[]).includes(dtype)
}
