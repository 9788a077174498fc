import { hash } from 'node:crypto'
import { canonicalJson } from './canonical-json.ts'
import { exactnessLabel, type Exactness } from './exactness.ts'
import type { Plan } from './plan.ts'

/**
 * The identity of a tensor: a canonical text of everything its elements depend on, and a digest
 * of texts like it. Equal texts mean equal element bytes. The http layer turns digests into
 * ETags (src/http/etag.ts); the remote gateway predicts a host's tag from them.
 */

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
export function planText (plan: Plan): string {
  let keys = ''
  for (const [k0, k1] of plan.keys) keys += `${k0},${k1};`
  return `${plan.initializer}\n${canonicalJson(plan.params)}\n${canonicalJson(plan.recipe)}\n${plan.profile}\n` +
    `${keys}\n${canonicalJson(plan.keySource)}\n${plan.shape.join(',')}\n${plan.dtype}\n${String(plan.mlxExact)}`
}

/**
 * SHA-256 of the lines, base64url. The lines hold no newline of their own (ids, enums, numbers,
 * canonical JSON), so distinct lists give distinct texts.
 */
export function digestLines (lines: readonly string[]): string {
  return hash('sha256', lines.join('\n'), 'base64url')
}

/** Bump when the bytes of any representation change for an unchanged plan. */
const TENSOR_DIGEST_SCHEME = 'tensor-init/2'

/**
 * The digest of one representation of a plan: everything its bytes depend on: the plan
 * (initializer, resolved params, recipe, profile, keys and where they came from, shape, dtype),
 * the format, the engine's exactness class (design §1: a change of algorithm or class never reuses
 * a cached tensor), and anything else written into the body (`extra`, e.g. safetensors metadata).
 * Equal digests mean byte-identical bodies.
 */
export function tensorDigest (plan: Plan, format: string, exactness: Exactness, extra?: unknown): string {
  return digestLines([TENSOR_DIGEST_SCHEME, format, exactnessLabel(exactness), planText(plan), extra === undefined ? '' : canonicalJson(extra)])
}
