import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ALL_ERROR_CODES, ERROR_CODES, isErrorCode } from '../../core/errors.ts'
import { makeProblem, problemTypeUri, sendProblem } from '../problem.ts'
import { ACCESS_ERRORS, CLIENT_ERROR, OPTIONAL_BEARER } from '../schemas/responses.ts'

/** RFC 9457 §3.1.1: a problem `type` URI, dereferenced, documents the problem type. */
export const problemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/problems/:code', {
    schema: {
      operationId: 'getProblemType',
      summary: 'Document a problem type',
      description: 'What a problem `type` URI resolves to.',
      tags: ['meta'],
      security: OPTIONAL_BEARER,
      params: Type.Object({ code: Type.String({ description: 'The problem code.', examples: [ALL_ERROR_CODES[0]] }) }),
      response: { 200: Type.Ref('ProblemType'), ...ACCESS_ERRORS, ...CLIENT_ERROR }
    }
  }, async (request, reply) => {
    const { code } = request.params
    if (!isErrorCode(code)) {
      return sendProblem(reply, makeProblem(request, 'not-found', { detail: `No problem type '${code.slice(0, 80)}'.`, field: '/path/code' }))
    }
    const { title, status, description } = ERROR_CODES[code]
    return { type: problemTypeUri(code), code, title, status, description }
  })
}
