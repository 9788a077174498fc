import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { Plan } from '../../core/plan.ts'
import type { ServiceContext } from '../context.ts'
import { describeJsonTensor } from '../json-tensor-representation.ts'
import { chooseFormat } from '../negotiate.ts'
import { planFromBody, planFromQuery } from '../plan-request.ts'
import { ACCESS_ERRORS, CLIENT_ERROR, OPTIONAL_BEARER, OVERLOADED, problemResponse } from '../schemas/responses.ts'
import { TensorIdParamsSchema, TensorQuerySchema, type TensorQuery } from '../schemas/tensor.ts'
import { METHOD_SEMANTICS, sendRepresentation, type Method } from '../send-representation.ts'
import { DOCUMENTED_HEAD } from './tensors.ts'

function jsonResponses (method: 'GET' | 'HEAD' | 'POST'): Record<string, unknown> {
  return {
    200: method === 'HEAD'
      ? { description: 'The GET\'s headers except Content-Length; nothing is computed.', type: 'null' }
      : { description: 'The tensor as JSON.', content: { 'application/json': { schema: Type.Ref('JsonTensor') } } },
    ...(method === 'POST' ? {} : { 304: { description: 'If-None-Match matched: the cached copy is current.', type: 'null' } }),
    406: problemResponse('Accept excludes application/json, or the tensor holds NaN or an infinity, which JSON cannot represent (code not-acceptable).'),
    413: problemResponse('More elements than JSON_MAX_ELEMENTS (code json-too-large; use a binary format) or than MAX_ELEMENTS / MAX_BYTES (code tensor-too-large).'),
    ...ACCESS_ERRORS,
    ...OVERLOADED,
    ...CLIENT_ERROR
  }
}

/**
 * The JSON representation (json-tensor-representation.ts), as its own operations so that generated
 * SDKs type it as an object and the binary ones as a Blob (node-stack-notes §2.3).
 */
export const jsonTensorRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  async function sendJson (request: FastifyRequest, reply: FastifyReply, plan: Plan, method: Method): Promise<FastifyReply> {
    chooseFormat(request, ['json'], undefined)
    return await sendRepresentation(ctx, request, reply, describeJsonTensor(ctx, plan), METHOD_SEMANTICS[method])
  }

  const get = (method: Method) => async (request: FastifyRequest<{ Params: { id: string }, Querystring: TensorQuery }>, reply: FastifyReply) =>
    await sendJson(request, reply, planFromQuery(request.params.id, request.query, ctx.limits), method)

  const getSchema = (method: 'GET' | 'HEAD') => ({
    operationId: method === 'GET' ? 'getTensorJson' : 'headTensorJson',
    summary: method === 'GET' ? 'A tensor as JSON' : 'Headers of a tensor\'s JSON, computing nothing',
    description: method === 'GET'
      ? 'The query of GET /v1/tensors/{id}, answered as {shape, dtype, profile, data} with nested lists. Bounded by JSON_MAX_ELEMENTS.'
      : 'Everything but Content-Length, which is only known once the JSON is written (RFC 9110 §9.3.2).',
    tags: ['tensors'],
    security: OPTIONAL_BEARER,
    params: TensorIdParamsSchema,
    querystring: TensorQuerySchema,
    response: jsonResponses(method)
  })

  app.route({ method: 'HEAD', url: '/v1/tensors/:id/json', schema: getSchema('HEAD'), config: DOCUMENTED_HEAD, handler: get('HEAD') })
  app.route({ method: 'GET', url: '/v1/tensors/:id/json', schema: getSchema('GET'), handler: get('GET') })

  app.post('/v1/tensors/json', {
    schema: {
      operationId: 'createTensorJson',
      summary: 'A tensor described by a JSON body, as JSON',
      description: 'The body of POST /v1/tensors, answered as {shape, dtype, profile, data}.',
      tags: ['tensors'],
      security: OPTIONAL_BEARER,
      body: Type.Ref('JsonTensorRequest'),
      response: jsonResponses('POST')
    }
  }, async (request, reply) => await sendJson(request, reply, planFromBody(request.body as Record<string, unknown>, ctx.limits), 'POST'))
}
