import { describe, expect, it } from 'vitest'
import { GPU_ULP, mlxExactness, profileExactness } from '../../../src/engines/mlx/exactness.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../../src/initializers/tensor-request.ts'
import { HALF_AND_SINGLE } from '../../../src/core/dtype.ts'
import { PROFILES } from '../../../src/core/profile.ts'

const plan = (spec: TensorRequest) => buildPlan({ seed: '1', ...spec }, 'json')

const MLX_SPECS: TensorRequest[] = [
  { initializer: 'uniform', shape: [4, 4] },
  { initializer: 'glorot_normal', shape: [4, 4] },
  { initializer: 'constant', shape: [4, 4], params: { value: 2 } },
  { initializer: 'identity', shape: [4, 4] },
  { initializer: 'sparse', shape: [4, 4], params: { sparsity: 0.5 } }
]

describe('mlx exactness', () => {
  it('is exact for every plan on the CPU backend', () => {
    for (const profile of PROFILES) {
      for (const dtype of HALF_AND_SINGLE) {
        for (const spec of MLX_SPECS) expect(mlxExactness(plan({ ...spec, dtype, profile }), 'cpu')).toEqual({ class: 'exact' })
      }
    }
    expect(profileExactness('cpu')).toEqual({ 'mlx-0.32': { class: 'exact' }, 'mlx-0.13': { class: 'exact' } })
  })

  it('on the GPU: float32 uniforms, constants, eyes and reference-kernel plans exact; erfinv-based plans close', () => {
    expect(mlxExactness(plan({ initializer: 'he_uniform', shape: [4, 4], dtype: 'float32' }), 'gpu')).toEqual({ class: 'exact' })
    expect(mlxExactness(plan({ initializer: 'uniform', shape: [4], dtype: 'float16' }), 'gpu')).toEqual({ class: 'close', ulp: GPU_ULP.halfUniform })
    expect(mlxExactness(plan({ initializer: 'identity', shape: [4, 4], dtype: 'bfloat16' }), 'gpu')).toEqual({ class: 'exact' })
    expect(mlxExactness(plan({ initializer: 'normal', shape: [4], dtype: 'float32' }), 'gpu')).toEqual({ class: 'close', ulp: GPU_ULP.float32 })
    expect(mlxExactness(plan({ initializer: 'sparse', shape: [4, 4], dtype: 'bfloat16', params: { sparsity: 0.5 } }), 'gpu')).toEqual({ class: 'close', ulp: GPU_ULP.half })
    expect(mlxExactness(plan({ initializer: 'normal', shape: [4], dtype: 'float64' }), 'gpu')).toEqual({ class: 'exact' })
    expect(mlxExactness(plan({ initializer: 'orthogonal', shape: [4, 4], dtype: 'float32' }), 'gpu')).toEqual({ class: 'exact' })
    expect(profileExactness('gpu')).toEqual({ 'mlx-0.32': { class: 'close', ulp: GPU_ULP.float32 }, 'mlx-0.13': { class: 'close', ulp: GPU_ULP.float32 } })
  })
})
