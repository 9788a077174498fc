import { createHash } from 'node:crypto'
import type { Exactness } from '../engines/engine.ts'
import type { Plan } from '../initializers/plan.ts'

/** Bump when the bytes of any representation change for an unchanged plan. */
const ETAG_SCHEME = 'tensor-init/1'

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function exactnessLabel (exactness: Exactness): string {
  return exactness.class === 'exact' ? 'exact' : `close;ulp=${exactness.ulp}`
}

/**
 * A strong entity tag (RFC 9110 §8.8.3) for one representation: a hash of everything its bytes
 * depend on: the canonical plan (initializer, resolved params, profile, keys and where they came
 * from, shape, dtype), the format, the engine's exactness class (design §1: a change of algorithm or
 * class never reuses a cached tensor), and anything else written into the body (`extra`, e.g. the
 * safetensors metadata). Equal tags mean byte-identical bodies, which is what "strong" promises.
 */
export function tensorEtag (plan: Plan, format: string, exactness: Exactness, extra?: unknown): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ scheme: ETAG_SCHEME, plan, format, exactness: exactnessLabel(exactness), extra }))
    .digest('base64url')
  return `"${digest}"`
}
