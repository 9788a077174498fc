import { readFileSync } from 'node:fs'

/**
 * The 186 golden cases produced by real MLX 0.13 (node-mlx 0.0.7, Linux CPU): see
 * /work/shared/reference/mlx-random-spec.md (e). The JSON is copied verbatim into
 * test/random/fixtures so the suite runs on a fresh checkout.
 */

export type GoldenDType = 'float32' | 'float16' | 'bfloat16'

export interface GoldenCase {
  /** node-mlx call, e.g. 'uniform(0,1)', 'normal(loc=0.5,scale=0.02)', 'nn.init.he_uniform(fan_out,gain=3)' */
  fn: string
  /** decimal seed, or 'n/a' when the case passes an explicit key */
  seed: string
  /** JSON array text, e.g. '[64,33,3]' */
  shape: string
  dtype: GoldenDType
  /** IEEE bit patterns of the first (up to 8) values, '0x3f0622e2' / '0x3864' */
  hex: string[]
  values: number[]
}

export interface GoldenKeyCase {
  seed: string
  key: [string, string]
  split2: Array<[string, string]>
  split3: Array<[string, string]>
}

export interface Golden {
  cases: GoldenCase[]
  keyCases: GoldenKeyCase[]
}

export const GOLDEN_PATH = new URL('../random/fixtures/mlx-0.13-golden.json', import.meta.url)

let cached: Golden | undefined

export function loadGolden (): Golden {
  cached ??= JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as Golden
  return cached
}

export function parseShape (shape: string): number[] {
  const parsed: unknown = JSON.parse(shape)
  if (!Array.isArray(parsed) || !parsed.every((d) => Number.isInteger(d))) throw new Error(`bad golden shape ${shape}`)
  return parsed as number[]
}

export function parseHex (hex: string): number {
  return Number.parseInt(hex, 16)
}
