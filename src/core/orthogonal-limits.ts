import { TensorInitError } from './errors.ts'

/**
 * Size limits of the orthogonal recipes, enforced before any work (design §4). The QR runs in
 * plain JS at about 1.4 GFLOP/s on one core (memory-bound past ~512), so the limit is on the
 * floating-point work: ORTHOGONAL_MAX_FLOPS allows a 1024 x 1024 matrix (about 2 s of CPU) or
 * tall ones such as 8192 x 256, and ORTHOGONAL_MAX_N bounds the float64 working matrix (n x c doubles).
 */
export const ORTHOGONAL_MAX_FLOPS = 3e9
export const ORTHOGONAL_MAX_N = 16384

/**
 * Floating-point operations of orthogonalQ(rows, cols), n = max(rows, cols): a Householder QR of
 * the n x c slice it needs (2nc^2 - 2c^3/3), plus forming the thin Q (the same again) when
 * rows >= cols, or `rows` rows of the full Q (about 2 rows n^2) when rows < cols (c = n).
 */
export function orthogonalFlops (rows: number, cols: number): number {
  const n = Math.max(rows, cols)
  const c = rows >= cols ? cols : n
  const factor = 2 * n * c * c - (2 / 3) * c * c * c
  return factor + (rows >= cols ? factor : 2 * rows * n * n)
}

/** Throws tensor-too-large unless orthogonalQ(rows, cols) is within the limits. */
export function checkOrthogonalSize (rows: number, cols: number): void {
  const n = Math.max(rows, cols)
  if (n > ORTHOGONAL_MAX_N || orthogonalFlops(rows, cols) > ORTHOGONAL_MAX_FLOPS) {
    throw new TensorInitError('tensor-too-large', `orthogonal initialization of a ${rows} x ${cols} matrix needs a QR beyond this service's limit (about 1024 x 1024; tall or wide ones such as 8192 x 256 are cheaper)`, '/shape')
  }
}
