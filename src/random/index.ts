/**
 * MLX's random number generation, reproduced bit for bit (spec: reference/mlx-random-spec.md):
 * keys and the global key sequence, the Threefry counter layout for any element range, and the
 * per-profile float recipes of uniform / normal / truncated_normal. Everything is range-aware:
 * elements [start, end) of an n-element draw are computed without generating the rest.
 */
export { threefry2x32 } from './threefry.ts'
export { keyFromSeed, sequenceKeys, splitKey } from './keys.ts'
export { bits16, bits32, bits64, fillWords, wordCount, words16 } from './bits.ts'
export type { DrawRange, SampleOut, SamplerDType } from './sampler-types.ts'
export { sampleUniform, uniformF32, uniformF64, uniformHalf } from './uniform.ts'
export { normalF32, normalF64, normalHalf, sampleNormal } from './normal.ts'
export { truncatedBounds, truncatedNormalF32, truncatedNormalHalf } from './truncated-normal.ts'
export { bf16FromF32, bf16ToF32, f16FromF32, f16ToF32, f32Bits, f32FromBits, type HalfDType } from './half-conversion.ts'
export { expf, fma, fmaf, logf } from './libm.ts'
export { erfinvF32, erfMlx013, erfMlx032, expMlx032 } from './erf.ts'
export { log64, normalQuantile } from './float64.ts'
