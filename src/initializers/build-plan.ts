import { TensorInitError } from '../core/errors.ts'
import { sequenceKeys, splitKey } from '../random/keys.ts'
import { getInitializer } from './catalog.ts'
import { HALF_AND_SINGLE, isDType, itemSize, type DType } from '../core/dtype.ts'
import type { InitializerEntry, ResolvedParams } from './entry.ts'
import { fromKerasConfig, isKerasConfigObject, withConfigPointers } from './keras-config.ts'
import { parseParams } from './params.ts'
import type { Key, KeySource, Plan } from '../core/plan.ts'
import { PROFILE_NAMES, resolveProfile } from '../core/profile.ts'
import { keysUsed, type Recipe } from '../core/recipe.ts'
import { parseSeed } from './seed.ts'
import { parseShape } from './parse-shape.ts'
import type { TensorRequest } from './tensor-request.ts'

/** Limits enforced before any work starts (design §4: every limit is a config value). */
export interface PlanLimits {
  maxElements: number
  maxBytes: number
  maxRank: number
  /** Highest `draw` index: reaching it costs one key split per step. */
  maxDraw: number
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  maxElements: 2 ** 32,
  maxBytes: 4 * 2 ** 30,
  maxRank: 32,
  maxDraw: 1_000_000
}

/** Turns a request into a Plan, or throws TensorInitError naming the offending field. */
export function buildPlan (spec: TensorRequest, source: 'query' | 'json', limits: PlanLimits = DEFAULT_PLAN_LIMITS): Plan {
  if (isKerasConfigObject(spec.initializer)) {
    // A Keras config object (design §1): rewritten to catalog id + params + seed, then built as
    // usual, with parameter errors pointing into the config.
    const rewritten = fromKerasConfig(spec)
    return withConfigPointers(() => buildPlan(rewritten, source, limits))
  }
  if (typeof spec.initializer !== 'string') {
    throw new TensorInitError('invalid-request', 'initializer must be a catalog id string or a Keras config object.', '/initializer')
  }
  const entry = getInitializer(spec.initializer)
  const profile = resolveProfile(optionalString(spec.profile, '/profile', 'invalid-profile'))
  if (profile === undefined) {
    throw new TensorInitError('invalid-profile',
      `Unknown profile '${String(spec.profile)}'; known profiles: ${PROFILE_NAMES.join(', ')}.`, '/profile')
  }
  const dtype = parseDType(entry, spec.dtype)
  const shape = parseShape(spec.shape, limits.maxRank)
  checkSize(shape, dtype, limits)
  checkRank(entry, shape)

  const rawParams: Record<string, unknown> = { ...(spec.params ?? {}) }
  if (spec.gain !== undefined) {
    if (!entry.params.some((p) => p.name === 'gain')) {
      throw new TensorInitError('unknown-parameter', `Initializer '${entry.id}' takes no gain.`, '/gain')
    }
    if (rawParams.gain !== undefined) {
      throw new TensorInitError('invalid-request', 'gain is given twice (top level and in params).', '/gain')
    }
    rawParams.gain = spec.gain
  }
  const params = parseParams(entry, rawParams, source)
  const recipe = entry.recipe(shape, params, dtype)
  checkFinite(entry, recipe, dtype, params)

  const { keys, keySource } = resolveKeys(spec, source, keysUsed(recipe), limits)
  return {
    initializer: entry.id,
    params,
    recipe,
    profile,
    keys,
    keySource,
    shape,
    dtype,
    mlxExact: entry.mlxExact && (HALF_AND_SINGLE as readonly string[]).includes(dtype)
  }
}

/** The largest finite value of each floating dtype (float16: 65504; bfloat16: (2 - 2^-7) 2^127). */
const FLOAT_MAX: Partial<Record<DType, number>> = {
  float64: Number.MAX_VALUE,
  float32: 3.4028234663852886e38,
  float16: 65504,
  bfloat16: 3.3895313892515355e38
}

/**
 * Standard units a normal sample can reach: its source is a uniform of 2^-24 resolution for the
 * half and single dtypes (sqrt(2) erfinv(1 - 2^-24) is about 5.4), of 2^-53 for float64 (about 8.3).
 */
function normalReach (dtype: DType): number {
  return dtype === 'float64' ? 9 : 6
}

/**
 * The largest magnitude the recipe's numbers can give an element, or a bound above it: the values
 * and bounds themselves, uniform widths (high - low, computed before the offset), and for normal
 * draws loc + reach * scale. NaN when a number is not finite.
 */
function largestMagnitude (recipe: Recipe, dtype: DType): number {
  const z = normalReach(dtype)
  switch (recipe.kind) {
    case 'constant':
    case 'eye':
    case 'dirac':
      return Math.abs(recipe.value)
    case 'uniform':
    case 'rounded-uniform':
      // |high - low|: a negative gain swaps the bounds, and a width of -inf is an overflow too.
      return Math.max(Math.abs(recipe.low), Math.abs(recipe.high), Math.abs(recipe.high - recipe.low))
    case 'normal':
      return Math.abs(recipe.loc ?? 0) + z * Math.abs(recipe.scale ?? 1)
    case 'sparse':
      return Math.abs(recipe.loc) + z * Math.abs(recipe.scale)
    case 'mlx-truncated-normal':
      return Math.max(Math.abs(recipe.lower), Math.abs(recipe.upper))
    case 'trunc-normal':
      return Math.max(Math.abs(recipe.mean), Math.abs(recipe.std), Math.min(Math.max(Math.abs(recipe.low), Math.abs(recipe.high)), Math.abs(recipe.mean) + z * recipe.std))
    case 'rounded-normal':
      return Math.abs(recipe.mean) + z * Math.abs(recipe.std)
    case 'column-sparse':
      return z * Math.abs(recipe.std)
    case 'orthogonal':
    case 'orthogonal-moved':
      return Math.abs(recipe.gain)
    case 'delta-orthogonal':
      return Math.abs(recipe.scale)
  }
}

/**
 * A tensor that would hold inf or NaN is refused at plan time, for its dtype: `std=1e300` overflows
 * float32, `low=-1e308&high=1e308` overflows the width high - low, `value=1e39` is not a float32,
 * `value=70000` not a float16. The parameter blamed is the one of largest magnitude (they are all
 * finite doubles by now, so it is the one that overflows); integer dtypes have their own checks.
 */
function checkFinite (entry: InitializerEntry, recipe: Recipe, dtype: DType, params: ResolvedParams): void {
  const max = FLOAT_MAX[dtype]
  if (max === undefined) return
  const magnitude = largestMagnitude(recipe, dtype)
  if (magnitude <= max) return
  let blamed: string | undefined
  let largest = -1
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'number' && Math.abs(value) > largest) {
      largest = Math.abs(value)
      blamed = name
    }
  }
  throw new TensorInitError('invalid-parameter',
    `Initializer '${entry.id}' with ${blamed === undefined ? 'these parameters' : `${blamed}=${String(params[blamed])}`} would produce values beyond the largest finite ${dtype} (${max}): the tensor would hold inf or NaN.`,
    blamed === undefined ? '/params' : `/params/${blamed}`)
}

function optionalString (value: unknown, field: string, code: 'invalid-profile' | 'unsupported-dtype'): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TensorInitError(code, `${field.slice(1)} must be a string.`, field)
  return value
}

function parseDType (entry: InitializerEntry, value: unknown): DType {
  const name = optionalString(value, '/dtype', 'unsupported-dtype') ?? 'float32'
  if (!isDType(name) || !entry.dtypes.includes(name)) {
    throw new TensorInitError('unsupported-dtype',
      `Initializer '${entry.id}' does not support dtype '${name}'; supported: ${entry.dtypes.join(', ')}.`, '/dtype')
  }
  return name
}

function checkSize (shape: readonly number[], dtype: DType, limits: PlanLimits): void {
  let n = 1
  for (const d of shape) {
    n *= d
    if (n > limits.maxElements) break
  }
  if (n > limits.maxElements) {
    throw new TensorInitError('tensor-too-large',
      `shape (${shape.join(', ')}) has more than the ${limits.maxElements} elements allowed.`, '/shape')
  }
  if (n * itemSize(dtype) > limits.maxBytes) {
    throw new TensorInitError('tensor-too-large',
      `shape (${shape.join(', ')}) of ${dtype} needs ${n * itemSize(dtype)} bytes; at most ${limits.maxBytes} are allowed.`, '/shape')
  }
}

function checkRank (entry: InitializerEntry, shape: readonly number[]): void {
  const rank = shape.length
  const tooLow = entry.minRank !== undefined && rank < entry.minRank
  const tooHigh = entry.maxRank !== undefined && rank > entry.maxRank
  if (!tooLow && !tooHigh) return
  const message = entry.rankMessage?.(rank) ??
    `Initializer '${entry.id}' needs a shape of rank ${entry.minRank ?? 0}${entry.maxRank === entry.minRank ? '' : ' or more'}, got rank ${rank}.`
  throw new TensorInitError('invalid-rank', message, '/shape')
}

/**
 * Design §1: by default the keys are MLX's global sequence after `mx.random.seed(seed)`, starting
 * at call number `draw` (0-based). An explicit `key` is used as MLX's `key=` argument; a recipe that
 * needs two keys (sparse) gets the two rows of split(key).
 */
function resolveKeys (spec: TensorRequest, source: 'query' | 'json', count: number, limits: PlanLimits): { keys: Key[], keySource: KeySource } {
  if (spec.key !== undefined) {
    if (spec.seed !== undefined || spec.draw !== undefined) {
      throw new TensorInitError('invalid-key', 'Give either key or seed/draw, not both.', '/key')
    }
    const key = parseKey(spec.key, source)
    const keys = count === 0 ? [] : count === 1 ? [key] : splitKey(key, count)
    return { keys, keySource: { kind: 'key', key } }
  }
  const seed = parseSeed(spec.seed ?? 0)
  const draw = parseDraw(spec.draw, source, limits)
  return { keys: sequenceKeys(seed, draw, count), keySource: { kind: 'seed', seed: seed.toString(), draw } }
}

function parseDraw (value: unknown, source: 'query' | 'json', limits: PlanLimits): number {
  if (value === undefined) return 0
  const n = source === 'query' && typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > limits.maxDraw) {
    throw new TensorInitError('invalid-draw', `draw must be an integer in [0, ${limits.maxDraw}].`, '/draw')
  }
  return n
}

function parseKey (value: unknown, source: 'query' | 'json'): Key {
  const items = source === 'query' && typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value
  if (!Array.isArray(items) || items.length !== 2) {
    throw new TensorInitError('invalid-key', 'key must be two uint32 words [k0, k1], as mx.random.key returns.', '/key')
  }
  const words = items.map((w) => (typeof w === 'string' && /^\d{1,10}$/.test(w) ? Number(w) : w))
  for (const [i, w] of words.entries()) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 0xffffffff) {
      throw new TensorInitError('invalid-key', `key[${i}] must be an integer in [0, 2^32-1].`, `/key/${i}`)
    }
  }
  return [words[0] as number, words[1] as number]
}
