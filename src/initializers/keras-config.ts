import { clip, TensorInitError, isTensorInitError } from '../core/errors.ts'
import type { TensorRequest } from './tensor-request.ts'
import { findInitializer, listInitializers } from './catalog.ts'
import type { InitializerEntry, KerasConfig, ResolvedParams } from './entry.ts'
import type { Plan } from '../core/plan.ts'
import { parseSeed } from './seed.ts'

/**
 * Keras config objects as the initializer of a request (design §1): what
 * keras.initializers.serialize / serialize_keras_object writes, e.g.
 *
 *   {"module": "keras.initializers", "class_name": "HeNormal",
 *    "config": {"seed": 42, "input_axes": null, "output_axes": null}, "registered_name": null}
 *
 * with or without `module`/`registered_name` (the tf.keras 2.x form has neither), the class named
 * by class name, snake_case name or Keras alias (keras/src/initializers/__init__.py
 * ALL_OBJECTS_DICT). The config's seed is the request's seed. Everything Keras's from_config
 * would reject (unknown class, unknown config key) and every contradiction with the rest of the
 * request (another seed, an explicit key, params or gain beside the config) is a 400
 * 'invalid-config'; value errors point into the config (/initializer/config/<name>).
 */

const CONFIG_KEYS = new Set(['module', 'class_name', 'config', 'registered_name'])
const MODULE = /^keras(\.src)?\.initializers(\.[a-z_]+)?$/

export function isKerasConfigObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail (message: string, field: string): never {
  throw new TensorInitError('invalid-config', message, field)
}

function show (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The Keras entry a class_name names, by class name, snake_case name or alias. */
function kerasEntry (className: unknown): InitializerEntry {
  if (typeof className !== 'string' || className === '') fail('class_name must be the name of a Keras initializer class.', '/initializer/class_name')
  const entry = findInitializer(`keras.${className}`)
  if (entry === undefined || entry.family !== 'keras' || entry.kerasConfig === undefined) {
    const known = listInitializers('keras').map((e) => e.id.slice('keras.'.length))
    fail(`Unknown Keras initializer class '${className.slice(0, 60)}'; known: ${known.join(', ')} (and their snake_case names).`, '/initializer/class_name')
  }
  return entry
}

/** Default values of an entry's parameters, as parseParams would fill them in. */
function defaults (entry: InitializerEntry): ResolvedParams {
  return Object.fromEntries(entry.params.map((p) => [p.name, p.default]))
}

/**
 * The Keras config of an entry with its default parameters and no seed (null): what the catalog
 * publishes so a client can start from it; undefined outside the Keras family.
 */
export function defaultKerasConfig (entry: InitializerEntry): KerasConfig | undefined {
  return entry.kerasConfig?.(defaults(entry), undefined)
}

/** The config keys a Keras class takes: exactly those its get_config() writes. */
function configKeys (entry: InitializerEntry): string[] {
  return Object.keys(defaultKerasConfig(entry)!.config)
}

/** Keras serializes a NumPy scalar as {"class_name": "__numpy__", "config": {"value": v, "dtype": d}}. */
function scalarValue (value: unknown): unknown {
  if (isKerasConfigObject(value) && value.class_name === '__numpy__' && isKerasConfigObject(value.config)) {
    return value.config.value
  }
  return value
}

/**
 * Rewrites a request whose initializer is a Keras config object into a plain one: catalog id,
 * params from the config, seed from the config (checked against the request's).
 */
export function fromKerasConfig (spec: TensorRequest): TensorRequest {
  const object = spec.initializer
  if (!isKerasConfigObject(object)) fail('initializer must be a catalog id or a Keras config object.', '/initializer')
  for (const key of Object.keys(object)) {
    if (!CONFIG_KEYS.has(key)) fail(`A Keras config object has no member '${key}' (it takes module, class_name, config, registered_name).`, `/initializer/${key}`)
  }
  const entry = kerasEntry(object.class_name)
  if (object.module !== undefined && object.module !== null && (typeof object.module !== 'string' || !MODULE.test(object.module))) {
    fail(`module must be 'keras.initializers', got ${show(object.module)}.`, '/initializer/module')
  }
  const registered = object.registered_name
  if (registered !== undefined && registered !== null && registered !== object.class_name) {
    fail(`registered_name ${show(registered)} names a custom object; only Keras's built-in initializers are served.`, '/initializer/registered_name')
  }
  const config = object.config ?? {}
  if (!isKerasConfigObject(config)) fail('config must be an object (the initializer\'s get_config()).', '/initializer/config')

  const allowed = configKeys(entry)
  const params: Record<string, unknown> = {}
  let configSeed: bigint | undefined
  for (const [key, value] of Object.entries(config)) {
    if (!allowed.includes(key)) {
      const takes = allowed.length === 0 ? 'it takes no config keys' : `it takes ${allowed.join(', ')}`
      fail(`Keras ${entry.id.slice('keras.'.length)} has no config key '${clip(key)}' (${takes}).`, `/initializer/config/${key}`)
    }
    if (key === 'seed') {
      if (value === null) continue
      if (isKerasConfigObject(value)) {
        fail('A SeedGenerator seed draws new values on every call; give an integer seed instead.', '/initializer/config/seed')
      }
      configSeed = parseSeed(value, '/initializer/config/seed')
    } else {
      params[key] = key === 'value' ? scalarValue(value) : value
    }
  }

  if (spec.params !== undefined && Object.keys(spec.params).length > 0) {
    fail('Parameters go inside the Keras config; params must be empty when the initializer is a config object.', '/params')
  }
  if (spec.gain !== undefined) fail('gain goes inside the Keras config when the initializer is a config object.', '/gain')
  let seed = spec.seed
  if (configSeed !== undefined) {
    if (spec.key !== undefined) fail('The config has a seed, which contradicts the explicit key.', '/key')
    if (spec.seed !== undefined && parseSeed(spec.seed) !== configSeed) {
      fail(`The config's seed ${configSeed} differs from the request's seed ${show(spec.seed)}.`, '/seed')
    }
    seed = configSeed.toString()
  }
  return { ...spec, initializer: entry.id, params, seed }
}

/**
 * Runs the plan builder on a rewritten config request, so that parameter errors, which the
 * builder reports under /params, point into the config where the client wrote them.
 */
export function withConfigPointers<T> (build: () => T): T {
  try {
    return build()
  } catch (err) {
    if (isTensorInitError(err) && err.field !== undefined && (err.field === '/params' || err.field.startsWith('/params/'))) {
      throw new TensorInitError(err.code, err.message, `/initializer/config${err.field.slice('/params'.length)}`)
    }
    throw err
  }
}

/**
 * The Keras config that reproduces a plan (Keras family only): the entry's get_config() for the
 * plan's params, with the plan's seed when it was drawn as Keras would draw it (seed given,
 * first draw); null seed otherwise.
 */
export function kerasConfigOf (plan: Plan): KerasConfig | undefined {
  const entry = findInitializer(plan.initializer)
  if (entry?.kerasConfig === undefined) return undefined
  const src = plan.keySource
  const seed = src.kind === 'seed' && src.draw === 0 ? src.seed : undefined
  return entry.kerasConfig(plan.params as ResolvedParams, seed)
}
