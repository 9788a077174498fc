import Type, { type Static } from 'typebox'
import { ALL_ERROR_CODES } from '../../core/errors.ts'

/**
 * RFC 9457 problem details. Every member the service sends is declared here: fast-json-stringify
 * drops undeclared members silently (node-stack-notes §2.6), and `additionalProperties: true`
 * keeps any future extension member from disappearing the same way.
 */
export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'URI reference identifying the problem type (RFC 9457 §3.1.1); GET it for documentation.', examples: ['/problems/invalid-shape'] }),
  title: Type.String({ description: 'Short summary, the same for every occurrence of the type (§3.1.3).' }),
  status: Type.Integer({ minimum: 400, maximum: 599, description: 'The HTTP status code (§3.1.2).' }),
  detail: Type.String({ description: 'What went wrong with this request (§3.1.4).' }),
  instance: Type.String({ description: 'The path of the request that met the problem (§3.1.5).' }),
  code: Type.Enum(ALL_ERROR_CODES, { description: 'Stable machine-readable code; the last segment of `type`.' }),
  field: Type.Optional(Type.String({ description: 'JSON Pointer (RFC 6901) of the offending input within the request: a query field (/shape), a body member (/params/mode) or a header (/headers/range).', examples: ['/shape/1'] })),
  errors: Type.Optional(Type.Array(Type.Object({
    pointer: Type.String({ description: 'JSON Pointer of the offending input.' }),
    detail: Type.String()
  }), { description: 'Every validation failure found, when there are several.' })),
  accept: Type.Optional(Type.Array(Type.String(), { description: 'For 406 and 415: the media types that can be served or consumed.' })),
  limit: Type.Optional(Type.Integer({ description: 'For 413: the limit that was exceeded.' })),
  requestId: Type.String({ description: 'The request id, as in the logs.' })
}, {
  $id: 'Problem',
  title: 'Problem',
  description: 'RFC 9457 problem details, served as application/problem+json.',
  additionalProperties: true
})

export type Problem = Static<typeof ProblemSchema>

export const ProblemRef = Type.Ref('Problem')

export const ProblemTypeSchema = Type.Object({
  type: Type.String(),
  code: Type.Enum(ALL_ERROR_CODES),
  title: Type.String(),
  status: Type.Integer(),
  description: Type.String()
}, { $id: 'ProblemType', title: 'ProblemType', description: 'Documentation of one problem type.', additionalProperties: false })

export type ProblemType = Static<typeof ProblemTypeSchema>
