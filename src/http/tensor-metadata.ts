import type { EngineInfo } from '../engines/engine-info.ts'
import type { Exactness } from '../core/exactness.ts'
import type { Plan } from '../core/plan.ts'
import { exactnessLabel } from '../core/exactness.ts'
import { canonicalJson } from '../core/canonical-json.ts'

/** What every representation states about how its tensor was made. */
export interface TensorProvenance {
  plan: Plan
  exactness: Exactness
  engine: EngineInfo
  serviceVersion: string
}

/** Header field values are visible ASCII (RFC 9110 §5.5); escape anything else as JSON does. */
function asciiJson (value: unknown): string {
  return canonicalJson(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * The recipe as response header fields: the raw format has no header of its own, so this is where
 * its shape and dtype travel; every format carries them for uniformity.
 */
export function tensorHeaders (p: TensorProvenance): Record<string, string> {
  const { plan } = p
  const headers: Record<string, string> = {
    'x-tensor-initializer': plan.initializer,
    'x-tensor-shape': plan.shape.join(','),
    'x-tensor-dtype': plan.dtype,
    'x-tensor-profile': plan.profile,
    'x-tensor-params': asciiJson(plan.params),
    'x-tensor-engine': p.engine.name,
    'x-tensor-exactness': exactnessLabel(p.exactness),
    'x-tensor-mlx-exact': String(plan.mlxExact),
    'x-tensor-keys-used': String(plan.keys.length)
  }
  if (plan.keySource.kind === 'seed') {
    headers['x-tensor-seed'] = plan.keySource.seed
    headers['x-tensor-draw'] = String(plan.keySource.draw)
  } else {
    headers['x-tensor-key'] = plan.keySource.key.join(',')
  }
  return headers
}

/**
 * safetensors `__metadata__` (string to string only): the full recipe, enough to re-create the
 * tensor from the file alone. `format: pt` is what transformers' loaders check for.
 */
export function safetensorsMetadata (p: TensorProvenance): Record<string, string> {
  const { plan } = p
  const metadata: Record<string, string> = {
    format: 'pt',
    'tensor_init.initializer': plan.initializer,
    'tensor_init.params': canonicalJson(plan.params),
    'tensor_init.profile': plan.profile,
    'tensor_init.shape': JSON.stringify(plan.shape),
    'tensor_init.dtype': plan.dtype,
    'tensor_init.engine': p.engine.name,
    'tensor_init.exactness': exactnessLabel(p.exactness),
    'tensor_init.mlx_exact': String(plan.mlxExact),
    'tensor_init.version': p.serviceVersion
  }
  if (plan.keySource.kind === 'seed') {
    metadata['tensor_init.seed'] = plan.keySource.seed
    metadata['tensor_init.draw'] = String(plan.keySource.draw)
  } else {
    metadata['tensor_init.key'] = JSON.stringify(plan.keySource.key)
  }
  return metadata
}

/** `attachment; filename="he_normal_256x128_float32.npy"` (RFC 6266), ASCII only. */
export function contentDisposition (plan: Plan, extension: string): string {
  const dims = plan.shape.length === 0 ? 'scalar' : plan.shape.join('x')
  const name = `${plan.initializer}_${dims}_${plan.dtype}`.replace(/[^A-Za-z0-9._-]/g, '_')
  return `attachment; filename="${name}${extension}"`
}
