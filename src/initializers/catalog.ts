import { TensorInitError } from '../core/errors.ts'
import type { Family, InitializerEntry } from './entry.ts'
import { jaxInitializers } from './jax.ts'
import { kerasInitializers } from './keras.ts'
import { mlxInitializers } from './mlx.ts'
import { torchInitializers } from './torch.ts'

/**
 * The one catalog of initializer ids (design §1). Unprefixed ids are MLX's; other families carry a
 * prefix (`keras.`, `torch.`, `jax.`). Aliases resolve to their entry's canonical id.
 */
const ENTRIES: readonly InitializerEntry[] = [
  ...mlxInitializers,
  ...kerasInitializers,
  ...torchInitializers,
  ...jaxInitializers
]

const BY_NAME = new Map<string, InitializerEntry>()
for (const entry of ENTRIES) {
  for (const name of [entry.id, ...(entry.aliases ?? [])]) {
    if (BY_NAME.has(name)) throw new Error(`duplicate initializer name ${name}`)
    BY_NAME.set(name, entry)
  }
}

export function listInitializers (family?: Family): readonly InitializerEntry[] {
  return family === undefined ? ENTRIES : ENTRIES.filter((e) => e.family === family)
}

export function findInitializer (name: string): InitializerEntry | undefined {
  return BY_NAME.get(name)
}

export function getInitializer (name: string, field = '/initializer'): InitializerEntry {
  const entry = BY_NAME.get(name)
  if (entry === undefined) {
    throw new TensorInitError('unknown-initializer',
      `Unknown initializer '${name.length > 80 ? name.slice(0, 77) + '...' : name}'. GET /v1/initializers lists the ids.`, field)
  }
  return entry
}
