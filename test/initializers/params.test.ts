import { describe, expect, it } from 'vitest'
import { TensorInitError } from '../../src/core/errors.ts'
import { getInitializer } from '../../src/initializers/catalog.ts'
import { parseParams } from '../../src/initializers/params.ts'

function errorOf (fn: () => unknown): TensorInitError {
  try {
    fn()
  } catch (err) {
    if (err instanceof TensorInitError) return err
    throw err
  }
  throw new Error('expected a TensorInitError')
}

describe('parseParams', () => {
  const heNormal = getInitializer('he_normal')
  const sparse = getInitializer('sparse')

  it('fills defaults', () => {
    expect(parseParams(heNormal, {}, 'json')).toEqual({ mode: 'fan_in', gain: 1 })
  })

  it('coerces query strings and keeps JSON typed', () => {
    expect(parseParams(heNormal, { mode: 'fan_out', gain: '2.5' }, 'query')).toEqual({ mode: 'fan_out', gain: 2.5 })
    const err = errorOf(() => parseParams(heNormal, { gain: '2.5' }, 'json'))
    expect(err.code).toBe('invalid-parameter')
    expect(err.field).toBe('/params/gain')
  })

  it('rejects unknown parameters and names the ones that exist', () => {
    const err = errorOf(() => parseParams(heNormal, { std: 1 }, 'json'))
    expect(err.code).toBe('unknown-parameter')
    expect(err.field).toBe('/params/std')
    expect(err.message).toContain('mode, gain')
  })

  it('enforces enums, bounds, finiteness and required parameters', () => {
    expect(errorOf(() => parseParams(heNormal, { mode: 'fanIn' }, 'json')).message).toContain('fan_in, fan_out')
    expect(errorOf(() => parseParams(sparse, { sparsity: 1.5 }, 'json')).message).toContain('<= 1')
    expect(errorOf(() => parseParams(sparse, { sparsity: 'NaN' }, 'query')).code).toBe('invalid-parameter')
    expect(errorOf(() => parseParams(sparse, { sparsity: '1e999' }, 'query')).message).toContain('finite')
    const missing = errorOf(() => parseParams(sparse, {}, 'json'))
    expect(missing.code).toBe('missing-parameter')
    expect(missing.field).toBe('/params/sparsity')
  })

  it('rejects malformed numeric text from queries', () => {
    for (const text of ['', ' ', '0x10', '1,5', '--1', 'Infinity', '1e']) {
      expect(errorOf(() => parseParams(heNormal, { gain: text }, 'query')).code).toBe('invalid-parameter')
    }
  })
})
