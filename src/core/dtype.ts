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

export function isFloatDType (dtype: DType): boolean {
  return (FLOAT_DTYPES as readonly string[]).includes(dtype)
}
