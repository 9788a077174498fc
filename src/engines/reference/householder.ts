import { checkCancelled } from './cancellation.ts'

/**
 * Householder QR in float64 for the orthogonal initializers. LAPACK's QR is not bit-reproducible
 * across builds, so the service defines its own: this exact sequence of double operations,
 * deterministic on any IEEE-754 machine (no fma, no reassociation, no threads).
 *
 * Matrices are column-major (column j of an n-row matrix is a[j*n .. j*n + n)), so every inner
 * loop walks contiguous memory.
 */

export interface HouseholderQR {
  /** rows */
  n: number
  /** columns (c <= n) */
  c: number
  /** column k holds the Householder vector v_k in rows k..n-1 (column-major n x c) */
  v: Float64Array
  /** H_k = I - tau_k v_k v_k^T */
  tau: Float64Array
  /** R's diagonal: R_kk */
  diag: Float64Array
}

/**
 * Factors the column-major n x c matrix `a` (overwritten with the reflectors) as
 * A = H_0 H_1 ... H_{c-1} R. Each reflector maps column k's tail x to r e_0 with
 * r = -sign(x_0) ||x|| (the sign that avoids cancellation in v_0 = x_0 - r).
 */
export function householderQR (a: Float64Array, n: number, c: number): HouseholderQR {
  if (c > n) throw new RangeError(`householderQR needs columns <= rows, got ${n} x ${c}`)
  if (a.length < n * c) throw new RangeError('matrix buffer too small')
  const tau = new Float64Array(c)
  const diag = new Float64Array(c)
  for (let k = 0; k < c; k++) {
    // Between columns (a few ms each at n = 1024): an aborted request stops here (cancellation.ts).
    checkCancelled()
    const col = k * n
    let norm2 = 0
    for (let i = k; i < n; i++) {
      const x = a[col + i]!
      norm2 += x * x
    }
    const alpha = a[col + k]!
    const norm = Math.sqrt(norm2)
    if (norm === 0) continue // zero column: H_k = I, R_kk = 0
    const r = alpha >= 0 ? -norm : norm
    a[col + k] = alpha - r
    // v^T v = ||x||^2 - alpha^2 + (alpha - r)^2 = 2 ||x|| (||x|| + |alpha|)
    const t = 2 / (2 * norm * (norm + Math.abs(alpha)))
    tau[k] = t
    diag[k] = r
    for (let j = k + 1; j < c; j++) reflect(a, col, a, j * n, k, n, t)
  }
  return { n, c, v: a, tau, diag }
}

/** y[yo+k .. yo+n) -= tau (v . y) v, with v = v[vo+k .. vo+n). */
function reflect (v: Float64Array, vo: number, y: Float64Array, yo: number, k: number, n: number, tau: number): void {
  let w = 0
  for (let i = k; i < n; i++) w += v[vo + i]! * y[yo + i]!
  const f = tau * w
  if (f === 0) return
  for (let i = k; i < n; i++) y[yo + i] = y[yo + i]! - f * v[vo + i]!
}

/** The first c columns of Q (column-major n x c), by backward accumulation on [I_c; 0]. */
export function thinQ (qr: HouseholderQR): Float64Array {
  const { n, c, v, tau } = qr
  const q = new Float64Array(n * c)
  for (let j = 0; j < c; j++) q[j * n + j] = 1
  for (let k = c - 1; k >= 0; k--) {
    checkCancelled()
    const t = tau[k]!
    if (t === 0) continue
    // Columns j < k of the accumulated product are still e_j in rows >= k: H_k leaves them alone.
    for (let j = k; j < c; j++) reflect(v, k * n, q, j * n, k, n, t)
  }
  return q
}

/** Q^T y = H_{c-1} ... H_0 y, in place (y has n entries). Row j of Q is Q^T e_j. */
export function applyQTransposed (qr: HouseholderQR, y: Float64Array): void {
  const { n, c, v, tau } = qr
  for (let k = 0; k < c; k++) {
    const t = tau[k]!
    if (t !== 0) reflect(v, k * n, y, 0, k, n, t)
  }
}
