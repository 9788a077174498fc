import { clip, TensorInitError } from '../core/errors.ts'
import type { InitializerEntry, ParamSpec, ParamValue, ResolvedParams } from './entry.ts'

/**
 * Validates and coerces an initializer's parameters against its ParamSpec list.
 * `source: 'query'` accepts strings (URL query fields) and converts them; `'json'` demands the
 * JSON type. Unknown names, wrong types and out-of-range values are 400s naming the field.
 */
export function parseParams (
  entry: InitializerEntry,
  raw: Readonly<Record<string, unknown>>,
  source: 'query' | 'json',
  pointerPrefix = '/params'
): Record<string, ParamValue | undefined> {
  const specs = new Map(entry.params.map((p) => [p.name, p]))
  for (const name of Object.keys(raw)) {
    if (!specs.has(name)) {
      const known = entry.params.map((p) => p.name)
      const hint = known.length === 0 ? 'it takes no parameters' : `it takes ${known.join(', ')}`
      throw new TensorInitError('unknown-parameter',
        `Initializer '${entry.id}' has no parameter '${clip(name)}' (${hint}).`, pointer(pointerPrefix, clip(name)))
    }
  }
  const out: Record<string, ParamValue | undefined> = {}
  for (const spec of entry.params) {
    const value = raw[spec.name]
    if (value === undefined) {
      if (spec.required === true) {
        throw new TensorInitError('missing-parameter',
          `Initializer '${entry.id}' requires parameter '${spec.name}'.`, pointer(pointerPrefix, spec.name))
      }
      out[spec.name] = spec.default
      continue
    }
    out[spec.name] = coerce(entry, spec, value, source, pointer(pointerPrefix, spec.name))
  }
  return out
}

/**
 * A `number` or `integer` parameter of resolved params, for an entry's `recipe`. parseParams has
 * already checked its type and filled its default, so the entry's own ParamSpec guarantees it.
 */
export function numberParam (params: ResolvedParams, name: string): number {
  return params[name] as number
}

function pointer (prefix: string, name: string): string {
  return `${prefix}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`
}

function coerce (entry: InitializerEntry, spec: ParamSpec, value: unknown, source: 'query' | 'json', field: string): ParamValue {
  const fail = (what: string): never => {
    throw new TensorInitError('invalid-parameter', `Parameter '${spec.name}' of '${entry.id}' ${what}.`, field)
  }
  if (value === null || (source === 'query' && value === 'null')) {
    if (spec.nullable === true) return null
    return fail('may not be null')
  }
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = toNumber(value, source)
      if (n === undefined || !Number.isFinite(n)) return fail(`must be a finite number, got ${show(value)}`)
      if (spec.type === 'integer' && !Number.isSafeInteger(n)) return fail(`must be an integer, got ${show(value)}`)
      checkBounds(spec, n, fail)
      return n
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value
      if (source === 'query' && (value === 'true' || value === 'false')) return value === 'true'
      return fail(`must be true or false, got ${show(value)}`)
    }
    case 'string': {
      if (typeof value !== 'string') return fail(`must be a string, got ${show(value)}`)
      if (spec.enum !== undefined && !spec.enum.includes(value)) {
        return fail(`must be one of ${spec.enum.join(', ')}, got ${show(value)}`)
      }
      return value
    }
    case 'integer-list': {
      let items: unknown[]
      if (Array.isArray(value)) items = value
      else if (typeof value === 'number') items = [value]
      else if (source === 'query' && typeof value === 'string') items = value === '' ? [] : value.split(',')
      else return fail(`must be a list of integers, got ${show(value)}`)
      if (items.length > 64) return fail('has too many items (at most 64)')
      return items.map((item) => {
        const n = toNumber(item, source)
        if (n === undefined || !Number.isSafeInteger(n)) return fail(`must be a list of integers, got ${show(value)}`)
        checkBounds(spec, n, fail)
        return n
      })
    }
  }
}

function checkBounds (spec: ParamSpec, n: number, fail: (what: string) => never): void {
  if (spec.minimum !== undefined && n < spec.minimum) fail(`must be >= ${spec.minimum}, got ${n}`)
  if (spec.maximum !== undefined && n > spec.maximum) fail(`must be <= ${spec.maximum}, got ${n}`)
  if (spec.exclusiveMinimum !== undefined && n <= spec.exclusiveMinimum) fail(`must be > ${spec.exclusiveMinimum}, got ${n}`)
  if (spec.exclusiveMaximum !== undefined && n >= spec.exclusiveMaximum) fail(`must be < ${spec.exclusiveMaximum}, got ${n}`)
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function toNumber (value: unknown, source: 'query' | 'json'): number | undefined {
  if (typeof value === 'number') return value
  if (source === 'query' && typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value)
  return undefined
}

function show (value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
