import type { FastifySchemaValidationError } from 'fastify'
import { clip, type ErrorCode } from '../core/errors.ts'

/**
 * Schema validation failures (ajv) become the same stable codes the plan builder uses, keyed by
 * the request member at fault, so a client sees one `code` per kind of mistake whichever layer
 * caught it.
 */
const CODE_BY_MEMBER: Record<string, ErrorCode> = {
  shape: 'invalid-shape',
  dtype: 'unsupported-dtype',
  seed: 'invalid-seed',
  draw: 'invalid-draw',
  key: 'invalid-key',
  profile: 'invalid-profile',
  gain: 'invalid-parameter',
  params: 'invalid-parameter'
}

export interface ValidationProblem {
  code: ErrorCode
  field: string
  detail: string
  errors: Array<{ pointer: string, detail: string }>
}

function escape (name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The JSON Pointer of the value an ajv error is about (RFC 6901), including missing members. */
function pointerOf (error: FastifySchemaValidationError): string {
  const params = error.params as Record<string, unknown>
  const base = error.instancePath
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return `${base}/${escape(params.missingProperty)}`
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return `${base}/${escape(params.additionalProperty)}`
  return base
}

/** What is wrong with the value an ajv error points at, as the end of a sentence ("is required"). */
function describeFailure (error: FastifySchemaValidationError): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required') return 'is required'
  if (error.keyword === 'additionalProperties') return 'is not a member of this request'
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) return `must be one of ${params.allowedValues.join(', ')}`
  return error.message ?? 'is invalid'
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' }

/**
 * Maps a fastify validation error. ajv stops at the first failure (allErrors is off, as fastify
 * recommends against DoS), but an `anyOf` reports one error per branch first: those are folded
 * into one sentence.
 */
export function validationProblem (errors: FastifySchemaValidationError[], context: string | undefined): ValidationProblem {
  const part = PART_NAMES[context ?? ''] ?? 'request'
  const byPointer = new Map<string, string[]>()
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue
    // A pointer may name a client's member (additionalProperties): bounded like every echo.
    const pointer = clip(context === 'headers' ? `/headers${pointerOf(error)}` : pointerOf(error))
    const list = byPointer.get(pointer) ?? []
    const text = describeFailure(error)
    if (!list.includes(text)) list.push(text)
    byPointer.set(pointer, list)
  }
  if (byPointer.size === 0) byPointer.set('', ['is invalid'])
  const list = [...byPointer].map(([pointer, texts]) => ({ pointer, detail: texts.join(', or ') }))
  const first = list[0] as { pointer: string, detail: string }
  const member = first.pointer.split('/')[1] ?? ''
  const code: ErrorCode = (context === 'body' || context === 'querystring') && Object.hasOwn(CODE_BY_MEMBER, member)
    ? CODE_BY_MEMBER[member] as ErrorCode
    : 'invalid-request'
  const where = first.pointer === '' ? `the ${part}` : `${part} member ${first.pointer}`
  return { code, field: first.pointer, detail: `In ${where}: ${first.detail}.`, errors: list }
}
