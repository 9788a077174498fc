/**
 * The three workloads of issue 4, as HTTP paths of this service and as the equivalent MLX calls.
 * 256 MiB each: 2^26 float32 or 2^27 bfloat16 elements. The service answers with its default
 * profile (mlx-0.32); MLX 0.13 draws the half-dtype normal from 16-bit words, the service's
 * 0.32 profile from 32-bit words like current MLX, so bfloat16 costs the service a full float32
 * erfinv per element.
 */
export interface Workload {
  name: 'float32_normal' | 'float32_uniform' | 'bfloat16_normal'
  initializer: 'normal' | 'uniform'
  dtype: 'float32' | 'bfloat16'
  elements: number
}

export const MIB = 2 ** 20

export function workloads (bytes: number): Workload[] {
  return [
    { name: 'float32_normal', initializer: 'normal', dtype: 'float32', elements: bytes / 4 },
    { name: 'float32_uniform', initializer: 'uniform', dtype: 'float32', elements: bytes / 4 },
    { name: 'bfloat16_normal', initializer: 'normal', dtype: 'bfloat16', elements: bytes / 2 }
  ]
}

export function tensorPath (w: Pick<Workload, 'initializer' | 'dtype' | 'elements'>, seed: number | string = 42): string {
  return `/v1/tensors/${w.initializer}?shape=${w.elements}&dtype=${w.dtype}&seed=${seed}`
}
