import { PROFILES, type Profile } from '../../core/profile.ts'
import type { EngineInfo } from '../engine.ts'
import type { Exactness } from '../../core/exactness.ts'

/** What a worker host's GET /readyz says about it (src/http/routes/health.ts, schema Readiness). */
export interface HostReadiness {
  version: string
  engine: EngineInfo
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseExactness (value: unknown): Exactness | undefined {
  if (!isRecord(value)) return undefined
  if (value.class === 'exact') return { class: 'exact' }
  if (value.class === 'close' && typeof value.ulp === 'number' && Number.isFinite(value.ulp) && value.ulp >= 0) {
    return { class: 'close', ulp: value.ulp }
  }
  return undefined
}

/**
 * Checks a /readyz body. A host is admitted only with an exactness entry for every profile this
 * gateway knows: without one the gateway cannot tell which class of bytes it would serve.
 * Another gateway is refused as a worker: two gateways listing each other would fetch in a loop.
 */
export function parseReadiness (body: unknown): HostReadiness {
  if (!isRecord(body) || body.status !== 'ready' || typeof body.version !== 'string' || !isRecord(body.engine)) {
    throw new Error('/readyz did not answer {status: "ready", version, engine}')
  }
  const engine = body.engine
  if (engine.name === 'remote') throw new Error('the host is itself a gateway (engine remote); refused to avoid fetch loops')
  if (engine.name !== 'cpu' && engine.name !== 'mlx') throw new Error(`unknown engine ${JSON.stringify(engine.name)}`)
  if (engine.device !== 'cpu' && engine.device !== 'gpu') throw new Error(`unknown device ${JSON.stringify(engine.device)}`)
  if (typeof engine.version !== 'string' || typeof engine.concurrency !== 'number' || !isRecord(engine.exactness)) {
    throw new Error('/readyz engine lacks version, concurrency or exactness')
  }
  const table = {} as Record<Profile, Exactness>
  for (const profile of PROFILES) {
    const exactness = parseExactness(engine.exactness[profile])
    if (exactness === undefined) throw new Error(`/readyz engine has no valid exactness for profile ${profile}`)
    table[profile] = exactness
  }
  return {
    version: body.version,
    engine: {
      name: engine.name,
      device: engine.device,
      version: engine.version,
      concurrency: engine.concurrency,
      exactness: table,
      ...(isRecord(engine.details) ? { details: engine.details } : {})
    }
  }
}
