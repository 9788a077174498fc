import type { Exactness } from '../../core/exactness.ts'
import type { Plan } from '../../core/plan.ts'
import { PROFILES, type Profile } from '../../core/profile.ts'
import { mlxRuns } from './mlx-recipes.ts'

/**
 * How the MLX engine's bytes relate to the profile (design §1 "Apple GPUs").
 *
 * On MLX's CPU backend (Linux) every MLX op is the kernel the profile is defined by, so the bytes
 * are exact; the tests prove it against the reference kernels for every kind, dtype and profile.
 *
 * On the Metal GPU (macOS arm64) the random bits are the same (spec b.4, b.12) and so is every
 * float32 op that is one IEEE operation (the Metal library is built without fast math and MSL
 * specifies +, -, *, / and fma correctly rounded), so float32 uniforms are exact. Two things move
 * bits:
 *  - metal::log (MSL: <= 1 ulp) in erfinv against glibc logf (<= 0.82 ulp): t = log(1 - a^2) may
 *    differ by 2 ulp. One ulp of t moves erfinv by up to 3 ulp (spec (c): Math.log vs glibc logf,
 *    max 3 ulp), so 2 ulp move it by up to 6; sqrt2 and scale add one rounding each: 8. The
 *    truncated normal's bounds go through metal::exp in erf, shifting the uniform's ends by a few
 *    ulp, which the erfinv slope near the bounds (about 6.5 at 2 sigma) turns into up to 8 more.
 *    float32: 16 ulp, conservatively, for everything built on erfinv.
 *  - Native half arithmetic rounds once where the CPU rounds a float32 result to half (spec b.12):
 *    the two differ only when that float32 result was itself rounded and lands on a half tie, so
 *    half uniforms may move by 1 ulp; half normals, whose erfinv runs in float32 and is rounded to
 *    half, by 1 ulp there plus one per later half op: 4 ulp.
 * ulp counts are taken at the magnitude of the sample before `loc` is added: adding a mean can
 * cancel to a tiny value whose own ulp says nothing about the error. These are analysis bounds, not
 * measurements; docs/mac-hosts.md says how to measure them on a Mac and record the figure.
 * Orthogonal and the non-MLX kinds run the reference kernels on the CPU in either case: exact.
 */

export type MlxDevice = 'cpu' | 'gpu'

const EXACT: Exactness = { class: 'exact' }

export const GPU_ULP = { float32: 16, half: 4, halfUniform: 1 } as const

export function mlxExactness (plan: Plan, device: MlxDevice): Exactness {
  if (device === 'cpu' || !mlxRuns(plan)) return EXACT
  const half = plan.dtype !== 'float32'
  switch (plan.recipe.kind) {
    case 'constant':
    case 'eye':
      return EXACT
    case 'uniform':
      return half ? { class: 'close', ulp: GPU_ULP.halfUniform } : EXACT
    default:
      return { class: 'close', ulp: half ? GPU_ULP.half : GPU_ULP.float32 }
  }
}

/** The class per profile for MLX-family plans: the worst case over kinds and dtypes. */
export function profileExactness (device: MlxDevice): Record<Profile, Exactness> {
  const worst: Exactness = device === 'cpu' ? EXACT : { class: 'close', ulp: GPU_ULP.float32 }
  return Object.fromEntries(PROFILES.map((p) => [p, worst])) as Record<Profile, Exactness>
}
