import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { TensorInitError } from '../../core/errors.ts'
import { encodeJsonFromChunks } from '../../formats/json.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import { IMMUTABLE, sendNotModified, type Method } from '../binary-response.ts'
import { clientGoneSignal } from '../body-stream.ts'
import { evaluatePreconditions } from '../conditional.ts'
import type { ServiceContext } from '../context.ts'
import { tensorEtag } from '../etag.ts'
import { chooseFormat } from '../negotiate.ts'
import { planFromBody, planFromQuery } from '../plan-request.ts'
import { CLIENT_ERROR, problemResponse } from '../schemas/responses.ts'
import { DOCUMENTED_HEAD } from './tensors.ts'
import { TensorIdParamsSchema, TensorQuerySchema, type TensorQuery } from '../schemas/tensor.ts'
import { tensorHeaders } from '../tensor-metadata.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

function jsonResponses (method: 'GET' | 'HEAD' | 'POST'): Record<string, unknown> {
  return {
    200: method === 'HEAD'
      ? { description: 'The GET\'s headers except Content-Length; nothing is computed.', type: 'null' }
      : { description: 'The tensor as JSON.', content: { 'application/json': { schema: Type.Ref('JsonTensor') } } },
    ...(method === 'POST' ? {} : { 304: { description: 'If-None-Match matched: the cached copy is current.', type: 'null' } }),
    406: problemResponse('Accept excludes application/json, or the tensor holds NaN or an infinity, which JSON cannot represent (code not-acceptable).'),
    413: problemResponse('More elements than JSON_MAX_ELEMENTS (code json-too-large; use a binary format) or than MAX_ELEMENTS / MAX_BYTES (code tensor-too-large).'),
    ...CLIENT_ERROR
  }
}

/**
 * The JSON representation, as its own operations so that generated SDKs type it as an object and
 * the binary ones as a Blob (node-stack-notes §2.3). It is bounded in size and built whole before
 * anything is sent: a tensor JSON cannot represent (NaN, infinities) still gets a proper problem.
 */
export const jsonTensorRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  async function sendJson (request: FastifyRequest, reply: FastifyReply, plan: Plan, method: Method): Promise<FastifyReply> {
    chooseFormat(request, ['json'], undefined)
    const count = elementCount(plan.shape)
    if (count > ctx.limits.jsonMaxElements) {
      throw new TensorInitError('json-too-large',
        `The tensor has ${count} elements; JSON is limited to ${ctx.limits.jsonMaxElements}. Request it as application/octet-stream, application/x-npy or application/vnd.safetensors (format=raw|npy|safetensors on GET /v1/tensors/{id}).`,
        '/shape')
    }
    const exactness = ctx.engine.exactness(plan)
    const etag = tensorEtag(plan, 'json', exactness)
    if (method !== 'POST' && evaluatePreconditions(request.headers, etag) === 'not-modified') return sendNotModified(reply, etag)
    const headers = {
      'content-type': JSON_TYPE,
      etag,
      'cache-control': IMMUTABLE,
      vary: 'Accept',
      // The JSON text is computed whole, so byte ranges of it would save nothing.
      'accept-ranges': 'none',
      ...tensorHeaders({ plan, exactness, engine: ctx.engine.info, serviceVersion: ctx.version })
    }
    // RFC 9110 §9.3.2: a HEAD may omit header fields whose values are only known while generating
    // the content; the JSON's length is one of them, so HEAD sends everything but Content-Length.
    if (method === 'HEAD') return reply.headers(headers).send()
    const signal = clientGoneSignal(reply)
    const total = elementCount(plan.shape)
    const text = await encodeJsonFromChunks(plan, ctx.engine.stream(plan, { start: 0, end: total }, { signal }))
    ctx.metrics.bytesStreamed.inc({ format: 'json' }, Buffer.byteLength(text))
    return reply.headers(headers).send(text)
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
      body: Type.Ref('JsonTensorRequest'),
      response: jsonResponses('POST')
    }
  }, async (request, reply) => await sendJson(request, reply, planFromBody(request.body as Record<string, unknown>, ctx.limits), 'POST'))
}
