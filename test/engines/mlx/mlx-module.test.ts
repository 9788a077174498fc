import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadMlx, mlxDevice, mlxVersionOf, MlxUnavailableError } from '../../../src/engines/mlx/mlx-module.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'

describeOracle('loadMlx where MLX is installed', () => {
  it('loads the installed bindings and reads their version', () => {
    const { mx, bindingVersion, mlxVersion } = loadMlx()
    expect([bindingVersion, mlxVersion]).toEqual(['0.0.7', '0.13.1'])
    expect(mlxDevice(mx)).toBe('cpu')
  })
})

describe('loadMlx', () => {
  it('turns a native load failure into an MlxUnavailableError that says what to install', () => {
    const unloadable = fileURLToPath(new URL('./fixtures/unloadable-mlx.cts', import.meta.url))
    expect(() => loadMlx(unloadable)).toThrow(MlxUnavailableError)
    expect(() => loadMlx(unloadable)).toThrow(/libblas\.so\.3.*@frost-beta\/mlx@0\.0\.7/)
  })

  it('refuses bindings other than 0.0.7: profile mlx-0.13 is what MLX 0.13.1 computes', () => {
    expect(mlxVersionOf('0.0.7')).toBe('0.13.1')
    expect(() => mlxVersionOf('0.0.8')).toThrow(/@frost-beta\/mlx 0\.0\.8 is installed.*0\.0\.7/)
    expect(() => mlxVersionOf('unknown')).toThrow(MlxUnavailableError)
  })
})
