import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WHOLE_TASK_MAX_BYTES, chunkAlignment, chunkLength, chunkRanges } from '../../../src/engines/cpu/chunking.ts'
import type { ElementRange } from '../../../src/core/element-range.ts'
import { samplerPlan } from './wasm/plans.ts'

const KEY = [1, 2] as const

describe('chunkRanges', () => {
  it('covers the range contiguously, with boundaries at absolute multiples of the length', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 997 }),
      (a, b, length) => {
        const range = { start: Math.min(a, b), end: Math.max(a, b) }
        const chunks = [...chunkRanges(range, length)]
        let at = range.start
        for (const c of chunks) {
          expect(c.start).toBe(at)
          expect(c.end).toBeGreaterThan(c.start)
          expect(c.end - c.start).toBeLessThanOrEqual(length)
          if (c.end !== range.end) expect(c.end % length).toBe(0)
          at = c.end
        }
        expect(at).toBe(range.end)
      }))
  })

  it('yields nothing for an empty range and rejects a bad length', () => {
    expect([...chunkRanges({ start: 5, end: 5 }, 4)]).toEqual([])
    expect(() => [...chunkRanges({ start: 0, end: 5 }, 0)]).toThrow(RangeError)
  })

  it('cuts a Range request on the same boundaries as the whole tensor', () => {
    const whole = [...chunkRanges({ start: 0, end: 100 }, 16)].map((c) => c.end)
    const part = [...chunkRanges({ start: 37, end: 90 }, 16)].map((c) => c.end)
    expect(part).toEqual([48, 64, 80, 90])
    for (const e of part.slice(0, -1)) expect(whole).toContain(e)
  })
})

describe('chunkLength', () => {
  const all: ElementRange = { start: 0, end: 1 << 24 }

  it('is about chunkBytes of elements, a multiple of 8', () => {
    expect(chunkLength(samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'float32', [1 << 24], [...KEY]), 1 << 20, all)).toBe(1 << 18)
    expect(chunkLength(samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'bfloat16', [1 << 24], [...KEY]), 1 << 20, all)).toBe(1 << 19)
    expect(chunkLength(samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'float32', [1 << 24], [...KEY]), 100, all)).toBe(24)
    expect(chunkLength(samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'float32', [1 << 24], [...KEY]), 1, all)).toBe(8)
  })

  it('keeps whole rows for sparse', () => {
    const plan = samplerPlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, 'mlx-0.32', 'float32', [1000, 300], [...KEY])
    expect(chunkAlignment(plan)).toBe(300)
    const length = chunkLength(plan, 1 << 20, { start: 0, end: 300_000 })
    expect(length % 300).toBe(0)
    expect(length).toBe(Math.floor((1 << 18) / 300) * 300)
    // a row longer than a chunk: one row per chunk
    const wide = samplerPlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, 'mlx-0.32', 'float32', [4, 1 << 20], [...KEY])
    expect(chunkLength(wide, 1 << 20, { start: 0, end: 1 << 22 })).toBe(1 << 20)
  })

  it('gives a small orthogonal range to one task, a huge one to chunks', () => {
    const recipe = { kind: 'orthogonal' as const, gain: 1, rows: 1024, cols: 1024, transpose: false }
    const plan = samplerPlan(recipe, 'mlx-0.32', 'float32', [1024, 1024], [...KEY])
    expect(chunkLength(plan, 1 << 20, { start: 5, end: 1 << 20 })).toBe((1 << 20) - 5)
    const huge = samplerPlan({ ...recipe, rows: 1 << 14, cols: 1 << 14 }, 'mlx-0.32', 'float32', [1 << 14, 1 << 14], [...KEY])
    const range = { start: 0, end: WHOLE_TASK_MAX_BYTES / 4 + 8 }
    expect(chunkLength(huge, 1 << 20, range)).toBe(1 << 18)
  })
})
