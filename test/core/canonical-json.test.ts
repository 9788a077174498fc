import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson, canonicalJsonSliced } from '../../src/core/canonical-json.ts'
import { timeSlicer } from '../../src/core/time-slice.ts'

describe('canonicalJsonSliced', () => {
  it('writes canonicalJson\'s text for any JSON value, long arrays included', async () => {
    const json = fc.jsonValue({ maxDepth: 3 })
    const long = fc.array(json, { minLength: 250, maxLength: 600 })
    await fc.assert(fc.asyncProperty(fc.oneof(json, long, fc.record({ tensors: long, seed: fc.string() })), async (value) => {
      expect(await canonicalJsonSliced(value)).toBe(canonicalJson(value))
    }), { numRuns: 60, seed: 12 })
  })

  it('yields to the event loop while writing a long array', async () => {
    const value = { tensors: Array.from({ length: 20_000 }, (_, i) => ({ name: `layers.${i}.weight`, shape: [64, 32], params: { gain: 1 } })) }
    let turns = 0
    const timer = setInterval(() => { turns++ }, 1)
    // A zero-length slice yields after every element: the loop turns while the text is written.
    const text = await canonicalJsonSliced(value, timeSlicer(0))
    clearInterval(timer)
    expect(text).toBe(canonicalJson(value))
    expect(turns).toBeGreaterThan(0)
  })
})
