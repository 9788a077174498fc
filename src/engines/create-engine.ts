import { createCpuEngine } from './cpu/cpu-engine.ts'
import type { Engine } from './engine.ts'
import { createMlxEngine, type MlxEngineOptions } from './mlx/mlx-engine.ts'
import { MlxUnavailableError } from './mlx/mlx-module.ts'
import { createRemoteEngine } from './remote/remote-engine.ts'
import type { RemoteEngineOptions } from './remote/remote-options.ts'

/**
 * Engine selection (design §3, config ENGINE=cpu|mlx|auto):
 *  - cpu: the embedded worker pool.
 *  - mlx: MLX through @frost-beta/mlx; where MLX cannot load, start fails with the reason.
 *  - auto: MLX on Apple silicon (its Metal GPU) when it loads, else cpu. On other hosts MLX would
 *    run on its single-threaded CPU backend, which the cpu engine outruns, so auto does not try it.
 *  - remote: a gateway over other instances of this service (WORKER_HOSTS), see engines/remote.
 * The choice is logged either way.
 */

/** The engines one can select (config ENGINE). */
export const ENGINE_KINDS = ['cpu', 'mlx', 'auto', 'remote'] as const

export type EngineKind = typeof ENGINE_KINDS[number]

/** The pino-style subset of a logger this needs (fastify's and pino's loggers fit). */
export interface EngineLogger {
  info (details: Record<string, unknown>, message: string): void
  warn (details: Record<string, unknown>, message: string): void
}

export interface EngineSelection {
  kind: EngineKind
  /** cpu engine worker threads. */
  threads?: number
  /** Bytes per chunk, for whichever engine runs. */
  chunkBytes?: number
  /** mlx engine options (worker count, whole-tensor size, module specifier). */
  mlx?: MlxEngineOptions
  /**
   * remote engine options (config: WORKER_HOSTS and REMOTE_*); without them the remote engine
   * has no hosts and refuses to start.
   */
  remote?: RemoteEngineOptions
  /**
   * Whole-matrix work (orthogonal QR, any kernel that must see the whole tensor): how many run
   * at once and how many bytes of results are kept for Ranges and retries (docs/reliability.md).
   */
  wholeTensor?: { concurrency: number, cacheBytes: number }
  logger?: EngineLogger
  /** The host, for `auto`; defaults to this process's platform and arch. */
  host?: { platform: NodeJS.Platform, arch: string }
}

export function isAppleSilicon (host: { platform: NodeJS.Platform, arch: string }): boolean {
  return host.platform === 'darwin' && host.arch === 'arm64'
}

function cpuEngine (selection: EngineSelection): Engine {
  return createCpuEngine({
    ...(selection.threads === undefined ? {} : { threads: selection.threads }),
    ...(selection.chunkBytes === undefined ? {} : { chunkBytes: selection.chunkBytes }),
    ...(selection.wholeTensor === undefined ? {} : { wholeTensor: selection.wholeTensor })
  })
}

async function mlxEngine (selection: EngineSelection): Promise<Engine> {
  return await createMlxEngine({
    ...(selection.chunkBytes === undefined ? {} : { chunkBytes: selection.chunkBytes }),
    ...selection.mlx
  })
}

/** The log fields that say which engine runs, and where. */
function engineLogFields (engine: Engine): Record<string, unknown> {
  const { name, device, version, concurrency } = engine.info
  return { engine: name, device, version, concurrency }
}

export async function createEngine (selection: EngineSelection): Promise<Engine> {
  const { logger } = selection
  const host = selection.host ?? { platform: process.platform, arch: process.arch }
  switch (selection.kind) {
    case 'cpu': {
      const engine = cpuEngine(selection)
      logger?.info(engineLogFields(engine), 'ENGINE=cpu')
      return engine
    }
    case 'mlx': {
      let engine: Engine
      try {
        engine = await mlxEngine(selection)
      } catch (err) {
        if (err instanceof MlxUnavailableError) throw new MlxUnavailableError(`ENGINE=mlx: ${err.message}`, err)
        throw err
      }
      logger?.info(engineLogFields(engine), `ENGINE=mlx on the ${engine.info.device === 'gpu' ? 'Metal GPU' : 'MLX CPU backend'}`)
      return engine
    }
    case 'remote': {
      const engine = await createRemoteEngine(selection.remote ?? { hosts: [] })
      logger?.info({ ...engineLogFields(engine), hosts: engine.info.details?.hosts }, 'ENGINE=remote')
      return engine
    }
    case 'auto': {
      if (!isAppleSilicon(host)) {
        const engine = cpuEngine(selection)
        logger?.info({ ...engineLogFields(engine), host: `${host.platform}-${host.arch}` }, 'ENGINE=auto chose cpu: MLX is used on Apple silicon only')
        return engine
      }
      try {
        const engine = await mlxEngine(selection)
        logger?.info(engineLogFields(engine), 'ENGINE=auto chose mlx')
        return engine
      } catch (err) {
        if (!(err instanceof MlxUnavailableError)) throw err
        const engine = cpuEngine(selection)
        logger?.warn({ ...engineLogFields(engine), reason: err.message }, 'ENGINE=auto chose cpu: MLX cannot be used on this host')
        return engine
      }
    }
  }
}
