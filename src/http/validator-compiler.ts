import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance, FastifySchema } from 'fastify'

/**
 * fastify's default ajv coerces types in every part of the request (`coerceTypes: 'array'`). That
 * suits the query string, where everything arrives as text, but it would let a JSON body say
 * `"gain": "2"` or `"seed": true` and be read as 2 and 1. JSON bodies are validated without
 * coercion, so a wrong JSON type is a 400 naming the member.
 *
 * Other options match @fastify/ajv-compiler's defaults, except `removeAdditional`: a misspelt
 * member of a closed object must be reported, not silently dropped.
 */
const BASE: Options = {
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
  strict: false
}

function makeAjv (options: Options, schemas: readonly unknown[]): Ajv {
  const ajv = new Ajv({ ...BASE, ...options })
  addFormats.default(ajv)
  for (const schema of schemas) ajv.addSchema(schema as object)
  return ajv
}

/** Installs the two-ajv compiler; call it after every shared schema has been added. */
export function installValidatorCompiler (app: FastifyInstance): void {
  let coercing: Ajv | undefined
  let strict: Ajv | undefined
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const shared = Object.values(app.getSchemas())
    coercing ??= makeAjv({ coerceTypes: 'array' }, shared)
    strict ??= makeAjv({ coerceTypes: false }, shared)
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as FastifySchema & object)
  })
}
