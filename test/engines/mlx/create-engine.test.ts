import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { loadConfig } from '../../../src/config.ts'
import { TensorInitError } from '../../../src/core/errors.ts'
import { createEngine, type EngineLogger, type EngineSelection } from '../../../src/engines/create-engine.ts'
import type { Engine } from '../../../src/engines/engine.ts'
import { MlxUnavailableError } from '../../../src/engines/mlx/mlx-module.ts'
import { EngineOptionError } from '../../../src/engines/toolkit/options.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'

const UNLOADABLE = fileURLToPath(new URL('./fixtures/unloadable-mlx.cts', import.meta.url))
const LINUX = { platform: 'linux', arch: 'x64' } as const
const APPLE_SILICON = { platform: 'darwin', arch: 'arm64' } as const

interface Logged { level: 'info' | 'warn', details: Record<string, unknown>, message: string }

function recordingLogger (): EngineLogger & { lines: Logged[] } {
  const lines: Logged[] = []
  return {
    lines,
    info: (details, message) => { lines.push({ level: 'info', details, message }) },
    warn: (details, message) => { lines.push({ level: 'warn', details, message }) }
  }
}

async function create (selection: EngineSelection): Promise<Engine> {
  const engine = await createEngine(selection)
  onTestFinished(async () => { await engine.close() })
  return engine
}

describe('createEngine', () => {
  it('ENGINE=mlx where MLX cannot load fails at start, naming the cause and the remedy', async () => {
    const error = await createEngine({ kind: 'mlx', mlx: { mlxModule: UNLOADABLE } }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(MlxUnavailableError)
    const message = (error as Error).message
    expect(message).toMatch(/^ENGINE=mlx: /)
    expect(message).toContain('libblas.so.3: cannot open shared object file')
    expect(message).toContain('liblapack3 and libblas3')
    expect(message).toContain('docs/mac-hosts.md')
  })

  it('ENGINE=mlx with the bindings missing says which module it looked for', async () => {
    const error = await createEngine({ kind: 'mlx', mlx: { mlxModule: '@frost-beta/mlx-not-installed' } }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(MlxUnavailableError)
    expect((error as Error).message).toContain("Cannot load MLX from '@frost-beta/mlx-not-installed'")
  })

  it('ENGINE=auto on Linux picks cpu without loading MLX, and logs why', async () => {
    const logger = recordingLogger()
    // An unloadable module proves MLX is not even tried: loading it would throw.
    const engine = await create({ kind: 'auto', logger, host: LINUX, mlx: { mlxModule: UNLOADABLE } })
    expect(engine.info.name).toBe('cpu')
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]).toMatchObject({ level: 'info', details: { engine: 'cpu', host: 'linux-x64' } })
    expect(logger.lines[0]!.message).toContain('chose cpu')
  })

  it('ENGINE=auto on Apple silicon falls back to cpu with a warning when MLX cannot load', async () => {
    const logger = recordingLogger()
    const engine = await create({ kind: 'auto', logger, host: APPLE_SILICON, mlx: { mlxModule: UNLOADABLE } })
    expect(engine.info.name).toBe('cpu')
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]).toMatchObject({ level: 'warn', details: { engine: 'cpu' } })
    expect(String(logger.lines[0]!.details.reason)).toContain('libblas.so.3')
  })

  it('ENGINE=cpu gives the cpu engine with its options', async () => {
    const engine = await create({ kind: 'cpu', threads: 1 })
    expect(engine.info).toMatchObject({ name: 'cpu', concurrency: 1 })
  })

  it('rejects a bad mlx option before starting anything, as a start-up error (not a request error)', async () => {
    const started = createEngine({ kind: 'mlx', mlx: { concurrency: 0 } })
    await expect(started).rejects.toThrow(EngineOptionError)
    await expect(started).rejects.toThrow(/concurrency/)
    await expect(started).rejects.not.toBeInstanceOf(TensorInitError)
  })
})

describeOracle('createEngine where MLX loads', () => {
  it('ENGINE=mlx starts the mlx engine where MLX loads (here: its CPU backend) and logs it', async () => {
    const logger = recordingLogger()
    const engine = await create({ kind: 'mlx', logger })
    expect(engine.info).toMatchObject({ name: 'mlx', device: 'cpu', version: '@frost-beta/mlx 0.0.7 (MLX 0.13.1)', concurrency: 1 })
    expect(logger.lines).toEqual([{ level: 'info', details: expect.objectContaining({ engine: 'mlx', device: 'cpu' }), message: 'ENGINE=mlx on the MLX CPU backend' }])
  })

  it('MLX_WORKERS from the environment sets the mlx engine\'s worker count', async () => {
    const config = loadConfig({ ENGINE: 'mlx', MLX_WORKERS: '2' })
    const engine = await create(config.engine)
    expect(engine.info).toMatchObject({ name: 'mlx', concurrency: 2 })
  })

  it('ENGINE=auto on Apple silicon picks mlx when it loads', async () => {
    const logger = recordingLogger()
    const engine = await create({ kind: 'auto', logger, host: APPLE_SILICON })
    expect(engine.info.name).toBe('mlx')
    expect(logger.lines).toEqual([{ level: 'info', details: expect.objectContaining({ engine: 'mlx' }), message: 'ENGINE=auto chose mlx' }])
  })
})
