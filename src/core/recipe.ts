import { checkOrthogonalSize } from './orthogonal-limits.ts'

/**
 * A recipe is what an initializer reduces to once its parameters, fans and gains are resolved:
 * one sampler with plain numbers. Engines execute recipes; they never see initializer names or
 * HTTP. Every number here is already the value the sampler receives (a double; the sampler applies
 * MLX's double -> float32 -> dtype conversion itself where the profile demands it, spec b.0).
 *
 * Keys: recipes consume keys from the plan's `keys` list, in order (`keysUsed` tells how many).
 */

/** mx.full(shape, value, dtype): no key. */
export interface ConstantRecipe { kind: 'constant', value: number }

/**
 * A 2-D matrix with `value` on the main diagonal, zeros elsewhere (mx.eye, torch eye_, Keras
 * Identity with gain). Rectangular shapes are allowed here; initializers that need square say so.
 */
export interface EyeRecipe { kind: 'eye', value: number }

/** mx.random.uniform(low, high, shape, dtype, key): spec b.5 (0.13) and b.13 (0.32). One key. */
export interface UniformRecipe { kind: 'uniform', low: number, high: number }

/**
 * mx.random.normal(shape, dtype, loc, scale, key): spec b.6 (0.13) and b.13 (0.32). One key.
 * `loc`/`scale` undefined means "not passed" (mlx-0.32 distinguishes None from 0/1; 0.13 skips
 * the op when the float value is 0/1).
 */
export interface NormalRecipe { kind: 'normal', loc?: number, scale?: number }

/** mx.random.truncated_normal(lower, upper, ...) with bounds in standard units, spec b.7. One key. */
export interface MlxTruncatedNormalRecipe { kind: 'mlx-truncated-normal', lower: number, upper: number }

/**
 * MLX nn.init.sparse (0.32): per row, ceil(sparsity*cols) zeros at the positions of the smallest
 * uniforms (argsort of a float32 uniform), the rest from normal(loc, scale). Two keys: the first for
 * the uniform, the second for the normal (spec b.14).
 */
export interface SparseRecipe { kind: 'sparse', sparsity: number, loc: number, scale: number }

/**
 * Orthogonal matrix from the QR decomposition of a standard normal matrix (one key), sign-fixed
 * with diag(R), times `gain`. `rows`/`cols` are the 2-D view the framework flattens the shape into
 * (the output is that matrix, or its transpose when `transpose` is set, in C order).
 * Deterministic within this service, orthogonal to 1e-6; not bit-equal to any LAPACK.
 */
export interface OrthogonalRecipe {
  kind: 'orthogonal'
  gain: number
  rows: number
  cols: number
  transpose: boolean
}

/**
 * The non-MLX families (Keras, PyTorch, JAX) below promise each framework's distribution, not its
 * bits. They draw from the same Threefry stream (one 32-bit word per element, MLX's float32
 * uniform layout), compute in double and round once to the dtype, so one seed gives the same
 * logical weights in every dtype and the kinds do not depend on the profile.
 */

/**
 * Truncated normal by inverse CDF on the uniform stream: N(mean, std^2) conditioned on the closed
 * interval [low, high] (absolute bounds). u = (word + 0.5) / 2^32; p between Phi(alpha) and
 * Phi(beta), computed from whichever tail is smaller; x = mean + std * Phi^-1(p), kept inside
 * [low, high] after rounding. One key.
 */
export interface TruncNormalRecipe { kind: 'trunc-normal', mean: number, std: number, low: number, high: number }

/**
 * Untruncated normal: the MLX float32 standard normal of each element (spec b.6, the same bits in
 * both profiles when loc/scale are not passed), then mean + std * z in double, rounded once to
 * the dtype ("sample in f32 and round": no half-dtype truncation as in MLX 0.13). One key.
 */
export interface RoundedNormalRecipe { kind: 'rounded-normal', mean: number, std: number }

/**
 * Uniform on [low, high): u = word / 2^32, x = low + (high - low) * u in double, rounded once to
 * the dtype (a value that rounds up to `high` steps back below it). One key.
 */
export interface RoundedUniformRecipe { kind: 'rounded-uniform', low: number, high: number }

/**
 * torch.nn.init.dirac_: shape (out, in, *k) with 3-5 dims; for each group g and
 * d < min(out/groups, in), element [g*out/groups + d, d, k//2 ...] is `value`, the rest 0. No key.
 */
export interface DiracRecipe { kind: 'dirac', groups: number, value: number }

/**
 * An orthogonal rows x cols matrix Q (as the 'orthogonal' recipe draws it) laid out with its
 * column index moved to a middle axis: the output has shape (rows / inner, cols, inner) in C order,
 * element (a, b, c) = gain * Q[a * inner + c, b] (jax orthogonal with a middle column_axis). One key.
 */
export interface OrthogonalMovedRecipe { kind: 'orthogonal-moved', gain: number, rows: number, cols: number, inner: number }

/**
 * jax delta_orthogonal: zeros except the spatial centre tap (index `center` in C order over the
 * leading spatial dims), which holds scale * an orthogonal (in, out) matrix: Q of the rows x cols
 * view, or its transpose when `transpose` is set (column_axis selects which). One key.
 */
export interface DeltaOrthogonalRecipe {
  kind: 'delta-orthogonal'
  scale: number
  rows: number
  cols: number
  transpose: boolean
  center: number
}

/**
 * torch.nn.init.sparse_ (2-D): every element N(0, std^2) as 'rounded-normal' (first key), then in
 * each column the `zeros` rows with the smallest (word, row) pairs of a second draw (second key)
 * are set to 0, zeros = ceil(sparsity * rows). Two keys.
 */
export interface ColumnSparseRecipe { kind: 'column-sparse', sparsity: number, std: number, zeros: number }

export type Recipe =
  | ConstantRecipe
  | EyeRecipe
  | UniformRecipe
  | NormalRecipe
  | MlxTruncatedNormalRecipe
  | SparseRecipe
  | OrthogonalRecipe
  | TruncNormalRecipe
  | RoundedNormalRecipe
  | RoundedUniformRecipe
  | DiracRecipe
  | OrthogonalMovedRecipe
  | DeltaOrthogonalRecipe
  | ColumnSparseRecipe

export type RecipeKind = Recipe['kind']

/** How many keys of the sequence a recipe consumes (MLX nn.init: constant/identity none, sparse two). */
export function keysUsed (recipe: Recipe): number {
  switch (recipe.kind) {
    case 'constant':
    case 'eye':
    case 'dirac':
      return 0
    case 'sparse':
    case 'column-sparse':
      return 2
    default:
      return 1
  }
}

/** An orthogonal recipe, refused up front (413) when its QR exceeds the service's limits. */
export function orthogonalRecipe (rows: number, cols: number, gain: number, transpose: boolean): OrthogonalRecipe {
  checkOrthogonalSize(rows, cols)
  return { kind: 'orthogonal', gain, rows, cols, transpose }
}
