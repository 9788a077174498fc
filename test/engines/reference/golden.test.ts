import { describe, expect, it } from 'vitest'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { elementCount, type Key } from '../../../src/core/plan.ts'
import type { Recipe } from '../../../src/core/recipe.ts'
import { halfFromF32, halfToF32 } from '../../../src/random/half-conversion.ts'
import { keyFromSeed, sequenceKeys } from '../../../src/random/keys.ts'
import { logf } from '../../../src/random/libm.ts'
import { type GoldenCase, loadGolden, parseHex, parseShape } from '../../support/golden.ts'
import { makePlan, mlxFans } from './plans.ts'

/**
 * Every golden case of real MLX 0.13 (spec (e), mlx-0.13-golden.json) through executeRange with
 * profile mlx-0.13: the golden `fn` strings map to recipes the way the MLX initializers do.
 */

function recipeFor (c: GoldenCase, shape: number[]): Recipe | 'gumbel' {
  const fn = c.fn
  if (fn === 'uniform(0,1)') return { kind: 'uniform', low: 0, high: 1 }
  if (fn === 'uniform(-3,5)') return { kind: 'uniform', low: -3, high: 5 }
  if (fn === 'normal()' || fn.startsWith('normal(key=') || fn.startsWith('seed(0) then call')) return { kind: 'normal' }
  if (fn === 'normal(loc=0.5,scale=0.02)') return { kind: 'normal', loc: 0.5, scale: 0.02 }
  if (fn === 'truncated_normal(-2,2)') return { kind: 'mlx-truncated-normal', lower: -2, upper: 2 }
  if (fn === 'gumbel()') return 'gumbel'
  const { fanIn, fanOut } = mlxFans(shape)
  // node-mlx dist/nn/init.js: std / limit in double, then passed as float (spec b.14)
  if (fn === 'nn.init.glorot_uniform') {
    const limit = 1 * Math.sqrt(6 / (fanIn + fanOut))
    return { kind: 'uniform', low: -limit, high: limit }
  }
  if (fn === 'nn.init.glorot_normal') return { kind: 'normal', scale: 1 * Math.sqrt(2 / (fanIn + fanOut)) }
  if (fn === 'nn.init.he_normal(fan_in)') return { kind: 'normal', scale: 1 / Math.sqrt(fanIn) }
  if (fn === 'nn.init.he_uniform(fan_out,gain=3)') {
    const limit = 3 * Math.sqrt(3 / fanOut)
    return { kind: 'uniform', low: -limit, high: limit }
  }
  throw new Error(`unmapped golden fn ${fn}`)
}

function keyFor (c: GoldenCase): Key {
  if (c.fn.startsWith('normal(key=key(7))')) return keyFromSeed(7n)
  const call = /call #(\d+)/.exec(c.fn)
  const draw = call === null ? 0 : Number(call[1]) - 1
  return sequenceKeys(BigInt(c.seed), draw, 1)[0]!
}

/** Output bit patterns of the first `count` elements. */
function bitsOf (bytes: Uint8Array, dtype: string, count: number): number[] {
  const view = dtype === 'float32'
    ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    : new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)
  return Array.from(view.subarray(0, count))
}

/**
 * gumbel(shape, dtype) = -log(-log(uniform(0, 1, shape, dtype))), each op in the dtype with glibc
 * logf (spec b.8): a test-only composition on top of the uniform kernel.
 */
function gumbelBits (shape: number[], dtype: GoldenCase['dtype'], key: Key, count: number): number[] {
  const u = executeRange(makePlan({ kind: 'uniform', low: 0, high: 1 }, shape, dtype, 'mlx-0.13', [key]), 0, count)
  return bitsOf(u, dtype, count).map((b) => {
    if (dtype === 'float32') {
      const x = new Float32Array(new Uint32Array([b]).buffer)[0]!
      const g = -logf(-logf(x))
      return new Uint32Array(new Float32Array([g]).buffer)[0]!
    }
    const inD = (v: number): number => halfToF32(dtype, halfFromF32(dtype, v))
    const g = -inD(logf(-inD(logf(halfToF32(dtype, b)))))
    return halfFromF32(dtype, g)
  })
}

describe('golden MLX 0.13 cases through the reference kernels', () => {
  const golden = loadGolden()
  it('has all 186 cases', () => {
    expect(golden.cases).toHaveLength(186)
  })
  it.each(golden.cases.map((c, i) => [i + 1, c.fn, c.seed, c.shape, c.dtype, c] as const))('#%i %s seed=%s %s %s', (_i, _fn, _seed, shapeText, dtype, c) => {
    const shape = parseShape(shapeText)
    const recipe = recipeFor(c, shape)
    const key = keyFor(c)
    const count = Math.min(c.hex.length, elementCount(shape))
    const expected = c.hex.map(parseHex)
    if (recipe === 'gumbel') {
      expect(gumbelBits(shape, dtype, key, count)).toEqual(expected)
      return
    }
    const plan = makePlan(recipe, shape, dtype, 'mlx-0.13', [key])
    expect(bitsOf(executeRange(plan, 0, count), dtype, count)).toEqual(expected)
    // The first values again, taken from the whole tensor: a prefix range equals the slice.
    expect(bitsOf(executeRange(plan, 0, elementCount(shape)), dtype, count)).toEqual(expected)
  })
})
