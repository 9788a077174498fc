import type { InitializerEntry, ParamSpec } from '../initializers/entry.ts'
import { HALF_AND_SINGLE } from '../core/dtype.ts'
import { defaultKerasConfig } from '../initializers/keras-config.ts'
import { PROFILES } from '../core/profile.ts'
import type { InitializerView } from './schemas/catalog.ts'

/** One ParamSpec as JSON Schema 2020-12 (what OpenAPI 3.1 and ajv understand). */
export function paramJsonSchema (spec: ParamSpec): Record<string, unknown> {
  const schema: Record<string, unknown> = {}
  const base = spec.type === 'integer-list'
    ? { type: 'array', items: { type: 'integer' }, maxItems: 64 }
    : { type: spec.type }
  if (spec.nullable === true) {
    schema.anyOf = [base, { type: 'null' }]
  } else {
    Object.assign(schema, base)
  }
  const target = spec.type === 'integer-list' ? (base as { items: Record<string, unknown> }).items : schema
  if (spec.enum !== undefined) target.enum = [...spec.enum]
  if (spec.minimum !== undefined) target.minimum = spec.minimum
  if (spec.maximum !== undefined) target.maximum = spec.maximum
  if (spec.exclusiveMinimum !== undefined) target.exclusiveMinimum = spec.exclusiveMinimum
  if (spec.exclusiveMaximum !== undefined) target.exclusiveMaximum = spec.exclusiveMaximum
  if (spec.default !== undefined) schema.default = spec.default
  schema.description = spec.description
  return schema
}

export function initializerView (entry: InitializerEntry): InitializerView {
  const exactDtypes = entry.mlxExact ? entry.dtypes.filter((d) => (HALF_AND_SINGLE as readonly string[]).includes(d)) : []
  const view: InitializerView = {
    id: entry.id,
    family: entry.family,
    aliases: [...(entry.aliases ?? [])],
    summary: entry.summary,
    formula: entry.formula,
    parameters: {
      type: 'object',
      properties: Object.fromEntries(entry.params.map((p) => [p.name, paramJsonSchema(p)])),
      required: entry.params.filter((p) => p.required === true).map((p) => p.name),
      additionalProperties: false
    },
    dtypes: [...entry.dtypes],
    mlxExact: Object.fromEntries(PROFILES.map((p) => [p, [...exactDtypes]])) as InitializerView['mlxExact']
  }
  if (entry.fan !== undefined) view.fan = entry.fan
  if (entry.minRank !== undefined) view.minRank = entry.minRank
  if (entry.maxRank !== undefined) view.maxRank = entry.maxRank
  const kerasConfig = defaultKerasConfig(entry)
  if (kerasConfig !== undefined) view.kerasConfig = kerasConfig
  return view
}
