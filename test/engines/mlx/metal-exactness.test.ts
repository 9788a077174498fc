import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Engine } from '../../../src/engines/engine.ts'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { createMlxEngine } from '../../../src/engines/mlx/mlx-engine.ts'
import { HALF_AND_SINGLE } from '../../../src/core/dtype.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { PROFILES } from '../../../src/core/profile.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'
import { collect, plan } from './support.ts'

/**
 * On an Apple-silicon Mac the mlx engine runs on the Metal GPU and claims `close` within an ulp
 * bound for erfinv-based plans (src/engines/mlx/exactness.ts). This measures the real distance to
 * the reference and fails when it exceeds the claim; the measured maxima are printed to be
 * recorded in docs/mac-hosts.md. It runs only where MLX's default device is the GPU: on the CPU
 * backend (Linux) the byte-equality suites prove `exact` instead.
 */

const APPLE_SILICON = process.platform === 'darwin' && process.arch === 'arm64'

/** Distance in units in the last place between two floats given as bit patterns of `bits` width. */
function ulpDistance (a: number, b: number, bits: 16 | 32): number {
  const sign = 2 ** (bits - 1)
  const ordered = (x: number): number => (x >= sign ? sign - 1 - (x - sign) : x + sign)
  return Math.abs(ordered(a) - ordered(b))
}

let engine: Engine

describeOracle('mlx engine on the Metal GPU: measured distance within the declared bound', () => {
  beforeAll(async () => {
    if (APPLE_SILICON) engine = await createMlxEngine()
  })
  afterAll(async () => { await engine?.close() })

  it.runIf(APPLE_SILICON)('every MLX kind, dtype and profile', async () => {
    expect(engine.info.device).toBe('gpu')
    const measured: Record<string, number> = {}
    for (const profile of PROFILES) {
      for (const dtype of HALF_AND_SINGLE) {
        for (const initializer of ['uniform', 'glorot_uniform', 'normal', 'he_normal', 'identity']) {
          const p = plan({ initializer, shape: [1024, 1024], dtype, seed: '20261123', profile })
          const n = elementCount(p.shape)
          const got = await collect(engine, p, { start: 0, end: n })
          const want = executeRange(p, 0, n)
          const width = dtype === 'float32' ? 32 : 16
          const g = width === 32 ? new Uint32Array(got.buffer, got.byteOffset, n) : new Uint16Array(got.buffer, got.byteOffset, n)
          const w = width === 32 ? new Uint32Array(want.buffer, want.byteOffset, n) : new Uint16Array(want.buffer, want.byteOffset, n)
          let max = 0
          for (let i = 0; i < n; i++) max = Math.max(max, ulpDistance(g[i]!, w[i]!, width))
          measured[`${profile} ${dtype} ${initializer}`] = max
          const claim = engine.exactness(p)
          expect(max, `${profile} ${dtype} ${initializer}`).toBeLessThanOrEqual(claim.class === 'exact' ? 0 : claim.ulp)
        }
      }
    }
    console.log('[metal-exactness] max ulp distance to the reference:', JSON.stringify(measured, null, 2))
  })
})
