import type { KerasConfig } from './entry.ts'

/**
 * The dict keras.saving.serialize_keras_object builds for a built-in initializer
 * (keras/src/saving/serialization_lib.py, serialize_with_public_class): the public module, the
 * class name, get_config(), and registered_name null (built-ins are not registered objects).
 */
export function kerasObject (className: string, config: Record<string, unknown>): KerasConfig {
  return { module: 'keras.initializers', class_name: className, config, registered_name: null }
}

/**
 * A request seed as a Keras config seed: a JSON number when it is a safe integer (Keras seeds
 * are Python ints), else the decimal string the service accepts for 64-bit seeds; null when the
 * plan has no seed (an explicit key).
 */
export function kerasSeed (seed: string | undefined): number | string | null {
  if (seed === undefined) return null
  const n = Number(seed)
  return Number.isSafeInteger(n) ? n : seed
}
