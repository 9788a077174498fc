import { describe, expect, it } from 'vitest'
import { ERROR_CODES, type TensorInitError } from '../../src/core/errors.ts'
import { NONLINEARITIES, calculateGain } from '../../src/initializers/gains.ts'

/** torch.nn.init.calculate_gain's table (torch/nn/init.py docstring and code). */
describe('calculate_gain', () => {
  it.each([
    ['linear', 1], ['conv1d', 1], ['conv2d', 1], ['conv3d', 1],
    ['conv_transpose1d', 1], ['conv_transpose2d', 1], ['conv_transpose3d', 1],
    ['sigmoid', 1], ['tanh', 5 / 3], ['relu', Math.SQRT2], ['selu', 3 / 4]
  ])('%s -> %s', (name, gain) => {
    expect(calculateGain(name as string)).toBe(gain)
  })

  it('leaky_relu: sqrt(2 / (1 + slope^2)), slope 0.01 when no param is given', () => {
    expect(calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 * 0.01)))
    expect(calculateGain('leaky_relu', null)).toBe(Math.sqrt(2 / 1.0001))
    expect(calculateGain('leaky_relu', 0.2)).toBe(Math.sqrt(2 / 1.04))
    expect(calculateGain('leaky_relu', 0)).toBe(Math.SQRT2) // kaiming_*'s default a = 0
    // nn.Linear / nn.Conv default: kaiming_uniform_(a=sqrt(5)) -> gain sqrt(1/3), so the
    // bound sqrt(3) * gain / sqrt(fan_in) is 1/sqrt(fan_in).
    expect(Math.sqrt(3) * calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(1, 15)
  })

  it('ignores param for the other nonlinearities', () => {
    expect(calculateGain('relu', 0.5)).toBe(Math.SQRT2)
    expect(calculateGain('tanh', 3)).toBe(5 / 3)
  })

  it('raises torch\'s ValueError for anything else', () => {
    expect(() => calculateGain('gelu')).toThrow('Unsupported nonlinearity gelu')
    expect(() => calculateGain('ReLU')).toThrow('Unsupported nonlinearity ReLU')
    let caught: unknown
    try {
      calculateGain('swish')
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ code: 'invalid-parameter', field: '/params/nonlinearity' })
    expect(ERROR_CODES[(caught as TensorInitError).code].status).toBe(400)
  })

  it('publishes exactly the names of torch\'s table, each with torch\'s gain', () => {
    // calculate_gain's docstring table (frameworks-and-formats.md §2.3), restated on purpose:
    // the catalog's `nonlinearity` enum is NONLINEARITIES, so a name torch lacks, or one of its
    // names left out, or a gain that drifts, fails here.
    const TORCH_TABLE: Record<string, number> = {
      linear: 1,
      conv1d: 1,
      conv2d: 1,
      conv3d: 1,
      conv_transpose1d: 1,
      conv_transpose2d: 1,
      conv_transpose3d: 1,
      sigmoid: 1,
      tanh: 5 / 3,
      relu: Math.sqrt(2),
      leaky_relu: Math.sqrt(2 / (1 + 0.01 * 0.01)),
      selu: 3 / 4
    }
    expect([...NONLINEARITIES].sort()).toEqual(Object.keys(TORCH_TABLE).sort())
    for (const n of NONLINEARITIES) expect([n, calculateGain(n)]).toEqual([n, TORCH_TABLE[n]])
  })
})
