import { hash } from 'node:crypto'
import type { Exactness } from '../engines/engine.ts'
import type { Plan } from '../initializers/plan.ts'

/** Bump when the bytes of any representation change for an unchanged plan. */
const ETAG_SCHEME = 'tensor-init/2'

/** Quoted object keys: the same few names come up in every plan. Bounded, as keys come from input. */
const QUOTED_KEYS = new Map<string, string>()

function quotedKey (key: string): string {
  let quoted = QUOTED_KEYS.get(key)
  if (quoted === undefined) {
    quoted = JSON.stringify(key)
    if (QUOTED_KEYS.size < 4096) QUOTED_KEYS.set(key, quoted)
  }
  return quoted
}

/** An object's own keys in UTF-16 code unit order (Array.prototype.sort's default), by insertion: objects here have a handful. */
function sortedKeys (record: object): string[] {
  const keys = Object.keys(record)
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/**
 * JSON with object keys sorted at every level, so equal values hash equally. Written as loops
 * with cached key quoting rather than entries/filter/sort/map: it runs several times for every
 * tensor request (ETag, headers), where it was the largest share of a small request's own work.
 */
export function canonicalJson (value: unknown): string {
  // Numbers print as JSON.stringify prints them (shortest round trip; non-finite as null).
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return out + ']'
  }
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of sortedKeys(record)) {
    const v = record[key]
    if (v === undefined) continue
    out += (out.length === 1 ? '' : ',') + quotedKey(key) + ':' + canonicalJson(v)
  }
  return out + '}'
}

export function exactnessLabel (exactness: Exactness): string {
  return exactness.class === 'exact' ? 'exact' : `close;ulp=${exactness.ulp}`
}

/**
 * The Plan fields a tag covers. Listing them (rather than serializing the whole plan generically)
 * makes the tag cheap enough for every small request; the check below fails to compile when Plan
 * gains a field this list lacks, so the tag cannot silently miss something the bytes depend on.
 */
export const ETAG_PLAN_FIELDS = ['initializer', 'params', 'recipe', 'profile', 'keys', 'keySource', 'shape', 'dtype', 'mlxExact'] as const satisfies ReadonlyArray<keyof Plan>
type Uncovered = Exclude<keyof Plan, (typeof ETAG_PLAN_FIELDS)[number]>
type MustBeEmpty<T extends never> = T
export type EtagCoversEveryPlanField = MustBeEmpty<Uncovered>

/**
 * One line per field: ids, enums and numbers hold no newline, and the objects are canonical JSON
 * (which escapes one), so distinct plans give distinct texts.
 */
function planText (plan: Plan): string {
  let keys = ''
  for (const [k0, k1] of plan.keys) keys += `${k0},${k1};`
  return `${plan.initializer}\n${canonicalJson(plan.params)}\n${canonicalJson(plan.recipe)}\n${plan.profile}\n` +
    `${keys}\n${canonicalJson(plan.keySource)}\n${plan.shape.join(',')}\n${plan.dtype}\n${String(plan.mlxExact)}`
}

/**
 * A strong entity tag (RFC 9110 §8.8.3) for one representation: a hash of everything its bytes
 * depend on: the plan (initializer, resolved params, recipe, profile, keys and where they came
 * from, shape, dtype), the format, the engine's exactness class (design §1: a change of algorithm
 * or class never reuses a cached tensor), and anything else written into the body (`extra`, e.g.
 * the safetensors metadata). Equal tags mean byte-identical bodies, which is what "strong" promises.
 */
export function tensorEtag (plan: Plan, format: string, exactness: Exactness, extra?: unknown): string {
  const text = `${ETAG_SCHEME}\n${format}\n${exactnessLabel(exactness)}\n${planText(plan)}\n${extra === undefined ? '' : canonicalJson(extra)}`
  return `"${hash('sha256', text, 'base64url')}"`
}
