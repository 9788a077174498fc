import type { DType } from '../core/dtype.ts'
import type { Recipe } from '../core/recipe.ts'

export type Family = 'mlx' | 'keras' | 'torch' | 'jax'

export type ParamValue = number | string | boolean | number[] | null

/**
 * One parameter of an initializer, as data: the catalog publishes it, the HTTP layer turns it into
 * JSON Schema, and `parseParams` validates and coerces request values against it.
 */
export interface ParamSpec {
  name: string
  type: 'number' | 'integer' | 'string' | 'boolean' | 'integer-list'
  description: string
  /** Filled in when the request omits the parameter. Absent and not `required`: the parameter stays unset. */
  default?: ParamValue
  required?: boolean
  /** The value may be JSON null (e.g. Keras `input_axes: None`). */
  nullable?: boolean
  enum?: readonly string[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
}

export type ResolvedParams = Readonly<Record<string, ParamValue | undefined>>

/** A Keras `serialize_keras_object` dict: what `get_config` round-trips. */
export interface KerasConfig {
  module: string
  class_name: string
  config: Record<string, unknown>
  registered_name: string | null
}

/**
 * One catalog entry (design §1 "Initializer families"): parameter schema, defaults, fan convention,
 * a one-line formula, supported dtypes, and the function that turns (shape, params, dtype) into a
 * recipe. `recipe` validates what the schema cannot (rank, squareness, fan > 0) by throwing
 * TensorInitError with the offending field.
 */
export interface InitializerEntry {
  /** Catalog id: unprefixed for MLX, `keras.`, `torch.`, `jax.` for the other families. */
  id: string
  family: Family
  /** Other names that resolve to this entry (e.g. Keras snake_case names). */
  aliases?: readonly string[]
  summary: string
  formula: string
  /** The fan convention the entry uses, in words; absent when no fans are involved. */
  fan?: string
  params: readonly ParamSpec[]
  dtypes: readonly DType[]
  /** Bytes equal real MLX's for the mlx profiles (float32/float16/bfloat16). */
  mlxExact: boolean
  /** Smallest rank the initializer accepts (checked before `recipe`). */
  minRank?: number
  maxRank?: number
  /** The framework's own error text for a shape of the wrong rank (checked before `recipe`). */
  rankMessage? (rank: number): string
  recipe (shape: readonly number[], params: ResolvedParams, dtype: DType): Recipe
  /** Keras family: the config dict `get_config()` would return for these params (seed included). */
  kerasConfig? (params: ResolvedParams, seed: string | undefined): KerasConfig
}
