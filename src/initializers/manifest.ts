import { createHash } from 'node:crypto'
import { clip, isTensorInitError, TensorInitError } from '../core/errors.ts'
import { sequenceKeys } from '../random/keys.ts'
import { buildPlan, DEFAULT_PLAN_LIMITS, type PlanLimits } from './build-plan.ts'
import { type TensorRequest } from './tensor-request.ts'
import { itemSize } from '../core/dtype.ts'
import { elementCount, type Key, type Plan } from '../core/plan.ts'
import { DEFAULT_PROFILE, PROFILE_NAMES, resolveProfile, type Profile } from '../core/profile.ts'
import { keysUsed } from '../core/recipe.ts'
import { parseSeed } from './seed.ts'
import { runAtOnce, runSliced } from '../core/time-slice.ts'

/**
 * A checkpoint manifest (issue 6 "Whole-model checkpoints", design §2 `POST /v1/checkpoints`): a
 * list of named tensors reduced to one Plan each, before any work, exactly as a single-tensor
 * request is reduced by buildPlan. The HTTP layer turns the list into one safetensors file.
 *
 * Keys (`keys`):
 * - `sequence` (default): MLX's global key sequence after `mx.random.seed(seed)` (spec b.1), shared
 *   by the tensors in manifest order. Each tensor takes as many keys as its recipe consumes
 *   (spec b.14: constant and identity none, sparse two, the others one), so tensor i is the
 *   single-tensor request {seed, draw: sum of the keys used by tensors 0..i-1}, and the file is
 *   what MLX gives for `mx.random.seed(seed)` followed by the initializers called in order.
 * - `name`: each tensor has a seed of its own, derived from the checkpoint seed and its name only
 *   (nameSeed below), and takes the keys of that seed's sequence from draw 0. Adding, removing or
 *   reordering tensors changes no other tensor.
 */

export type KeyMode = 'sequence' | 'name'
export const KEY_MODES: readonly KeyMode[] = ['sequence', 'name']

/**
 * Checkpoint limits on top of the per-tensor ones. Not yet in the config module (src/config.ts);
 * until they are, the route passes MAX_CHECKPOINT_TENSORS and the per-tensor MAX_BYTES as the total.
 */
export interface ManifestLimits extends PlanLimits {
  /** Most tensors in one manifest. */
  maxTensors: number
  /** Most bytes of element data in the whole file (the header comes on top). */
  maxTotalBytes: number
}

/** Enough for any single model file: a 70B-parameter transformer has about 1 000 tensors. */
export const MAX_CHECKPOINT_TENSORS = 10_000

export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = {
  ...DEFAULT_PLAN_LIMITS,
  maxTensors: MAX_CHECKPOINT_TENSORS,
  maxTotalBytes: DEFAULT_PLAN_LIMITS.maxBytes
}

/** One tensor of the manifest with every default resolved (a valid manifest entry in itself). */
export interface ResolvedTensor {
  name: string
  initializer: string
  shape: number[]
  dtype: string
  params: Record<string, unknown>
}

/**
 * The manifest with every default resolved: the seed as a decimal string, the profile's canonical
 * name, each tensor's canonical initializer id, dtype and full params. POSTing it again yields the
 * same file; it is what `__metadata__` records and what the ETag hashes.
 */
export interface ResolvedManifest {
  seed: string
  profile: Profile
  keys: KeyMode
  tensors: ResolvedTensor[]
}

export interface CheckpointTensor {
  name: string
  plan: Plan
}

export interface CheckpointPlan {
  manifest: ResolvedManifest
  /** In manifest order, which is the order the keys are drawn in. */
  tensors: CheckpointTensor[]
  /** Bytes of element data in the file. */
  dataBytes: number
}

const TOP_LEVEL = new Set(['seed', 'profile', 'dtype', 'keys', 'tensors'])
const TENSOR_MEMBERS = new Set(['name', 'shape', 'initializer', 'params', 'gain', 'dtype'])

/** Lone surrogates have no UTF-8 form, and the safetensors reader rejects their \u escapes. */
const LONE_SURROGATE = /\p{Cs}/u

function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function pointerSegment (name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1')
}

function unknownMember (object: Record<string, unknown>, allowed: ReadonlySet<string>, base: string): void {
  for (const name of Object.keys(object)) {
    if (!allowed.has(name)) {
      throw new TensorInitError('invalid-manifest', `'${clip(name)}' is not a member of a checkpoint manifest${base === '' ? '' : ' tensor'}.`, `${base}/${pointerSegment(name)}`)
    }
  }
}

/**
 * The seed a tensor gets in `keys: 'name'` mode: the first 8 bytes, read as a big-endian uint64, of
 * SHA-256( seed as 8 bytes big-endian || UTF-8 bytes of the name ). The tensor is then exactly what
 * MLX gives for `mx.random.seed(nameSeed)` followed by its initializer, i.e. the single-tensor
 * request {seed: nameSeed, draw: 0}. In Python:
 *
 *   int.from_bytes(hashlib.sha256(seed.to_bytes(8, 'big') + name.encode()).digest()[:8], 'big')
 *
 * Hashing the seed and the name together (rather than xoring a hash of the name into the seed)
 * keeps distinct (seed, name) pairs from sharing a key except by a 64-bit hash collision.
 */
export function nameSeed (seed: bigint, name: string): bigint {
  const prefix = Buffer.alloc(8)
  prefix.writeBigUInt64BE(seed)
  const digest = createHash('sha256').update(prefix).update(name, 'utf8').digest()
  return digest.readBigUInt64BE(0)
}

/**
 * Re-roots a buildPlan error at the manifest member it came from: the checkpoint-wide members
 * (seed, profile, and dtype unless the tensor has its own) stay at the top, the rest move under
 * /tensors/i.
 */
function rooted (err: unknown, index: number, ownDType: boolean): unknown {
  if (!isTensorInitError(err) || err.field === undefined) return err
  const field = err.field
  if (field === '/seed' || field === '/profile' || (field === '/dtype' && !ownDType)) return err
  return new TensorInitError(err.code, `tensors[${index}]: ${err.message}`, `/tensors/${index}${field}`)
}

/**
 * Validates a manifest and reduces it to one Plan per tensor, or throws TensorInitError with a
 * JSON Pointer into the manifest (e.g. /tensors/3/shape). Nothing is computed here but keys.
 */
export function buildManifest (body: unknown, limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS): CheckpointPlan {
  return runAtOnce(manifestSteps(body, limits))
}

/**
 * buildManifest, with the same results and errors, in slices (src/core/time-slice.ts) that
 * yield to the event loop (setImmediate) between tensors: 10 000 tensors take a few hundred ms of
 * buildPlan, and eight such manifests at once held /healthz for 3.1 s (issue 12).
 */
export async function buildManifestAsync (body: unknown, limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS): Promise<CheckpointPlan> {
  return await runSliced(manifestSteps(body, limits))
}

/** The work of buildManifest, pausing (yield) after each tensor so a caller can cut it into slices. */
function * manifestSteps (body: unknown, limits: ManifestLimits): Generator<undefined, CheckpointPlan> {
  if (!isRecord(body)) throw new TensorInitError('invalid-manifest', 'A checkpoint manifest is a JSON object.', '')
  unknownMember(body, TOP_LEVEL, '')
  const seed = parseSeed(body.seed ?? 0)
  if (body.profile !== undefined && (typeof body.profile !== 'string' || resolveProfile(body.profile) === undefined)) {
    throw new TensorInitError('invalid-profile', `Unknown profile '${String(body.profile)}'; known profiles: ${PROFILE_NAMES.join(', ')}.`, '/profile')
  }
  const profile = resolveProfile(body.profile as string | undefined) ?? DEFAULT_PROFILE
  const keys = body.keys ?? 'sequence'
  if (!(KEY_MODES as readonly unknown[]).includes(keys)) {
    throw new TensorInitError('invalid-manifest', `keys must be one of ${KEY_MODES.join(', ')}.`, '/keys')
  }
  const keyMode = keys as KeyMode
  if (body.dtype !== undefined && typeof body.dtype !== 'string') {
    throw new TensorInitError('unsupported-dtype', 'dtype must be a string.', '/dtype')
  }
  const list = body.tensors
  if (!Array.isArray(list)) throw new TensorInitError('invalid-manifest', 'tensors must be a list of tensors.', '/tensors')
  if (list.length === 0) throw new TensorInitError('invalid-manifest', 'tensors is empty: a checkpoint holds at least one tensor.', '/tensors')
  if (list.length > limits.maxTensors) {
    throw new TensorInitError('invalid-manifest', `A checkpoint holds at most ${limits.maxTensors} tensors; this one lists ${list.length}.`, '/tensors')
  }

  const names = new Map<string, number>()
  const tensors: CheckpointTensor[] = []
  const resolved: ResolvedTensor[] = []
  // The running state of MLX's global key sequence (spec b.1): `draw` keys have been taken so far.
  let draw = 0
  let dataBytes = 0
  for (const [index, item] of list.entries()) {
    const base = `/tensors/${index}`
    if (!isRecord(item)) throw new TensorInitError('invalid-manifest', `tensors[${index}] must be an object.`, base)
    unknownMember(item, TENSOR_MEMBERS, base)
    const name = item.name
    if (typeof name !== 'string' || name === '') {
      throw new TensorInitError('invalid-manifest', `tensors[${index}].name must be a non-empty string.`, `${base}/name`)
    }
    if (LONE_SURROGATE.test(name)) {
      throw new TensorInitError('invalid-manifest', `tensors[${index}].name contains an unpaired UTF-16 surrogate.`, `${base}/name`)
    }
    // safetensors reserves it for the metadata map (frameworks-and-formats §4.2).
    if (name === '__metadata__') {
      throw new TensorInitError('invalid-manifest', '"__metadata__" is reserved by safetensors and cannot name a tensor.', `${base}/name`)
    }
    const first = names.get(name)
    if (first !== undefined) {
      throw new TensorInitError('invalid-manifest', `tensors[${index}].name "${clip(name)}" is already the name of tensors[${first}].`, `${base}/name`)
    }
    names.set(name, index)
    // The checkpoint decides the keys; a Keras config object would bring a seed of its own.
    if (typeof item.initializer !== 'string') {
      throw new TensorInitError('invalid-request', `tensors[${index}].initializer must be a catalog id string.`, `${base}/initializer`)
    }
    if (item.params !== undefined && !isRecord(item.params)) {
      throw new TensorInitError('invalid-parameter', `tensors[${index}].params must be an object.`, `${base}/params`)
    }

    const ownDType = item.dtype !== undefined
    const tensorSeed = keyMode === 'name' ? nameSeed(seed, name) : seed
    const spec: TensorRequest = {
      initializer: item.initializer,
      shape: item.shape,
      seed: tensorSeed.toString(),
      profile
    }
    const dtype = ownDType ? item.dtype : body.dtype
    if (dtype !== undefined) spec.dtype = dtype
    if (item.params !== undefined) spec.params = item.params
    if (item.gain !== undefined) spec.gain = item.gain

    let plan: Plan
    try {
      plan = buildPlan(spec, 'json', limits)
    } catch (err) {
      throw rooted(err, index, ownDType)
    }
    if (keyMode === 'sequence') {
      // buildPlan gave the keys of draw 0; this tensor's are the next ones of the shared sequence.
      // Walking the sequence once for the whole manifest keeps the cost linear in its length.
      plan = { ...plan, keySource: { kind: 'seed', seed: seed.toString(), draw } }
      draw += plan.keys.length
    }

    dataBytes += elementCount(plan.shape) * itemSize(plan.dtype)
    if (dataBytes > limits.maxTotalBytes) {
      throw new TensorInitError('tensor-too-large',
        `The checkpoint's tensors need more than the ${limits.maxTotalBytes} bytes allowed (reached at tensors[${index}]).`, '/tensors')
    }
    tensors.push({ name, plan })
    resolved.push({ name, initializer: plan.initializer, shape: plan.shape, dtype: plan.dtype, params: plan.params })
    yield undefined
  }

  if (keyMode === 'sequence') assignSequenceKeys(seed, draw, tensors)
  return { manifest: { seed: seed.toString(), profile, keys: keyMode, tensors: resolved }, tensors, dataBytes }
}

/** Hands out the first `total` keys after seeding, in manifest order, each plan taking its share. */
function assignSequenceKeys (seed: bigint, total: number, tensors: CheckpointTensor[]): void {
  const all: Key[] = sequenceKeys(seed, 0, total)
  let next = 0
  for (const tensor of tensors) {
    const count = keysUsed(tensor.plan.recipe)
    tensor.plan.keys = all.slice(next, next + count)
    next += count
  }
}
