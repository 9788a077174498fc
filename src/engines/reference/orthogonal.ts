import { TensorInitError } from '../../core/errors.ts'
import { elementCount, type Key, type Plan } from '../../core/plan.ts'
import type { Profile } from '../../core/profile.ts'
import type { OrthogonalRecipe } from '../../core/recipe.ts'
import { LruCache } from '../../random/lru.ts'
import { normalF32 } from '../../random/normal.ts'
import { requireSamplerDType, samplerView, writeFloats } from './elements.ts'
import { applyQTransposed, householderQR, thinQ } from './householder.ts'
import { planKey } from './keys.ts'
import { checkOrthogonalSize } from '../../core/orthogonal-limits.ts'
import { checkCancelled } from './cancellation.ts'

/**
 * Orthogonal initialization (MLX 0.32 nn.init.orthogonal, spec b.14, and the rows x cols views
 * other families flatten their shapes into):
 *
 *   n = max(rows, cols); A = mx.random.normal((n, n)) in float32 (one key, the profile's normal
 *   recipe with loc/scale not passed); A = QR; Q = Q * sign(diag(R)); out = Q[:rows, :cols] * gain
 *   (transposed when the recipe says so), rounded double -> float32 -> dtype.
 *
 * The QR is this service's float64 Householder (householder.ts), not LAPACK, so the result is
 * orthogonal to ~1e-15 before rounding and deterministic, but not bit-equal to MLX. The sign-fixed
 * Q is unique, so only rounding differs from any other QR.
 *
 * Only what the slice needs is computed: Q[:, :cols] depends only on A[:, :cols]
 * (A[:, :k] = Q[:, :k] R[:k, :k]), so when rows >= cols a thin QR of n x cols suffices; when
 * rows < cols (n = cols) the full factorization is needed but only rows of Q are formed, as
 * Q^T e_i. The whole matrix is computed once per plan and cached, so the many ranges of one
 * tensor share it.
 */

const cache = new LruCache<string, Float64Array>(4)

/**
 * Q[:rows, :cols] of the sign-fixed QR of the n x n float32 standard normal drawn with `key`
 * (n = max(rows, cols)), row-major float64, before any gain. Cached per (profile, key, rows, cols).
 * Other orthogonal-based recipes (delta-orthogonal, orthogonal-moved) build on this.
 */
export function orthogonalQ (profile: Profile, key: Key, rows: number, cols: number): Float64Array {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1) {
    throw new TensorInitError('invalid-shape', `orthogonal needs a positive rows x cols view, got ${rows} x ${cols}`, '/shape')
  }
  checkOrthogonalSize(rows, cols)
  const n = Math.max(rows, cols)
  return cache.getOrCreate(`${profile}|${key[0]}|${key[1]}|${rows}|${cols}`, () => {
    const c = rows >= cols ? cols : n
    // A[:, :c] of the n x n float32 normal, column-major in float64: row i is elements [i*n, i*n + c).
    const a = new Float64Array(n * c)
    const row = new Float32Array(c)
    for (let i = 0; i < n; i++) {
      // Drawing the matrix is itself ~0.5 s at n = 1024: an abort stops here too.
      if (i % 16 === 0) checkCancelled()
      normalF32(profile, { key, n: n * n, start: i * n, end: i * n + c }, undefined, undefined, row)
      for (let j = 0; j < c; j++) a[j * n + i] = row[j]!
    }
    const qr = householderQR(a, n, c)
    const sign = qr.diag.map((d) => (d < 0 ? -1 : 1))
    const q = new Float64Array(rows * cols)
    if (rows >= cols) {
      const thin = thinQ(qr) // n x cols column-major, n = rows
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) q[i * cols + j] = thin[j * n + i]! * sign[j]!
      }
    } else {
      const y = new Float64Array(n)
      for (let i = 0; i < rows; i++) {
        if (i % 64 === 0) checkCancelled()
        y.fill(0)
        y[i] = 1
        applyQTransposed(qr, y) // row i of Q
        for (let j = 0; j < cols; j++) q[i * cols + j] = y[j]! * sign[j]!
      }
    }
    return q
  })
}

/** Q[:rows, :cols] for an orthogonal recipe of a plan (the plan's first key), row-major float64, before gain. */
export function orthogonalMatrix (plan: Plan, recipe: Pick<OrthogonalRecipe, 'rows' | 'cols'>): Float64Array {
  return orthogonalQ(plan.profile, planKey(plan, 0), recipe.rows, recipe.cols)
}

export function orthogonalKernel (plan: Plan, recipe: OrthogonalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireSamplerDType(plan.dtype, 'orthogonal')
  const { rows, cols, gain, transpose } = recipe
  const q = orthogonalQ(plan.profile, planKey(plan, 0), rows, cols)
  if (elementCount(plan.shape) !== rows * cols) {
    throw new TensorInitError('invalid-shape', `orthogonal view ${rows} x ${cols} does not match shape [${plan.shape.join(', ')}]`, '/shape')
  }
  const values = new Float64Array(end - start)
  for (let idx = start; idx < end; idx++) {
    // Transposed output is the cols x rows matrix Q^T in C order.
    const src = transpose ? (idx % rows) * cols + Math.floor(idx / rows) : idx
    values[idx - start] = q[src]! * gain
  }
  writeFloats(dtype, values, samplerView(dtype, out))
}
