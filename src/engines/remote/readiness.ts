import Type from 'typebox'
import Value from 'typebox/value'
import type { Exactness } from '../../core/exactness.ts'
import { PROFILES, type Profile } from '../../core/profile.ts'
import { EngineInfoSchema, type EngineInfo } from '../engine-info.ts'

/** What a worker host's GET /readyz says about it (src/http/routes/health.ts, schema Readiness). */
export interface HostReadiness {
  version: string
  engine: EngineInfo
}

/**
 * The part of a /readyz body the gateway relies on. The engine is checked against the very schema
 * the host serialized it with (engine-info.ts); other top-level members are ignored.
 */
const ReadyBodySchema = Type.Object({
  status: Type.Literal('ready'),
  version: Type.String(),
  engine: EngineInfoSchema
})

/** The schema allows `close` without `ulp` (engine-info.ts); a class the gateway can splice needs it. */
function exactnessOf (value: { class: 'exact' | 'close', ulp?: number }): Exactness | undefined {
  if (value.class === 'exact') return { class: 'exact' }
  return value.ulp !== undefined && Number.isFinite(value.ulp) ? { class: 'close', ulp: value.ulp } : undefined
}

/**
 * Checks a /readyz body. A host is admitted only with an exactness entry for every profile this
 * gateway knows: without one the gateway cannot tell which class of bytes it would serve.
 * Another gateway is refused as a worker: two gateways listing each other would fetch in a loop.
 */
export function parseReadiness (body: unknown): HostReadiness {
  if (!Value.Check(ReadyBodySchema, body)) {
    const first = Value.Errors(ReadyBodySchema, body)[0]
    const why = first === undefined ? '' : `: ${first.instancePath === '' ? 'body' : first.instancePath} ${first.message}`
    throw new Error(`/readyz did not answer {status: "ready", version, engine}${why}`)
  }
  const engine = body.engine
  if (engine.name === 'remote') throw new Error('the host is itself a gateway (engine remote); refused to avoid fetch loops')
  if (engine.device === 'remote') throw new Error(`unknown device ${JSON.stringify(engine.device)}`)
  const table = {} as Record<Profile, Exactness>
  for (const profile of PROFILES) {
    const exactness = exactnessOf(engine.exactness[profile])
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
      ...(engine.details === undefined ? {} : { details: engine.details })
    }
  }
}
