import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { BINARY_FORMATS, CONTENT_TYPES } from '../../formats/encoding.ts'
import type { Plan } from '../../core/plan.ts'
import { describeBinaryTensor } from '../binary-tensor-representation.ts'
import type { ServiceContext } from '../context.ts'
import { chooseFormat } from '../negotiate.ts'
import { planFromBody, planFromQuery } from '../plan-request.ts'
import { ACCESS_ERRORS, BINARY_BODY, CLIENT_ERROR, OPTIONAL_BEARER, OVERLOADED, problemResponse } from '../schemas/responses.ts'
import { BinaryTensorQuerySchema, FORMAT_NAMES, TensorIdParamsSchema, type TensorQuery } from '../schemas/tensor.ts'
import { METHOD_SEMANTICS, sendRepresentation, type Method } from '../send-representation.ts'

/**
 * Offered in the order of FORMAT_NAMES: no Accept (or `*\/*`) means raw. JSON lives in its own
 * operation (a redirect).
 */
const OFFERS = FORMAT_NAMES

const binaryContent = Object.fromEntries(BINARY_FORMATS.map((format) => [CONTENT_TYPES[format], { schema: BINARY_BODY }]))

const tensorHeadersDoc = {
  'Content-Length': { type: 'integer', description: 'Computed before any element is.' },
  ETag: { type: 'string', description: 'Strong tag of the plan, format and engine exactness class.' },
  'X-Tensor-Shape': { type: 'string', description: 'Comma-separated dimensions.' },
  'X-Tensor-Dtype': { type: 'string' },
  'X-Tensor-Profile': { type: 'string' },
  'X-Tensor-Initializer': { type: 'string', description: 'Canonical catalog id.' },
  'X-Tensor-Params': { type: 'string', description: 'Resolved parameters as JSON (sorted keys, ASCII).' },
  'X-Tensor-Seed': { type: 'string', description: 'With X-Tensor-Draw, where the key came from (absent when a key was given).' },
  'X-Tensor-Draw': { type: 'string' },
  'X-Tensor-Key': { type: 'string', description: 'The explicit key k0,k1, when one was given.' },
  'X-Tensor-Keys-Used': { type: 'string', description: 'Keys the initializer consumed: the next parameter of a model uses draw + this.' },
  'X-Tensor-Engine': { type: 'string' },
  'X-Tensor-Exactness': { type: 'string', description: 'exact, or close;ulp=N.' },
  'X-Tensor-Mlx-Exact': { type: 'string', description: 'true when the bytes equal real MLX\'s for the profile.' }
}

const common = {
  406: problemResponse('No representation matches Accept (code not-acceptable).'),
  413: problemResponse('The tensor exceeds MAX_ELEMENTS or MAX_BYTES (code tensor-too-large).'),
  ...ACCESS_ERRORS,
  ...OVERLOADED,
  ...CLIENT_ERROR
}

function binaryResponses (method: 'GET' | 'HEAD' | 'POST'): Record<string, unknown> {
  const ok = { description: 'The tensor in the negotiated format.', headers: tensorHeadersDoc, content: binaryContent }
  if (method === 'POST') {
    return {
      200: ok,
      307: {
        description: 'format json (or an Accept preferring application/json): repeat the POST at Location.',
        headers: { Location: { type: 'string' } },
        type: 'null'
      },
      ...common
    }
  }
  return {
    // HEAD: the GET's headers, no body.
    200: method === 'GET' ? ok : { description: 'The GET\'s headers; nothing is computed.', headers: tensorHeadersDoc, type: 'null' },
    ...(method === 'GET'
      ? {
          206: { description: 'One byte range (a single Range, If-Range permitting); only the covered elements are computed.', headers: tensorHeadersDoc, content: binaryContent },
          416: problemResponse('The Range does not overlap the representation; Content-Range gives its length (code range-not-satisfiable).')
        }
      : {}),
    303: {
      description: 'format=json (or an Accept preferring application/json): the JSON representation is at Location.',
      headers: { Location: { type: 'string' } },
      type: 'null'
    },
    304: { description: 'If-None-Match matched: the cached copy is current.', type: 'null' },
    ...common
  }
}

/** @fastify/swagger leaves HEAD routes out of the document unless a route asks to be in it. */
export const DOCUMENTED_HEAD = { swagger: { exposeHeadRoute: true } }

const QUERY_DOC = 'Query fields: shape, dtype, seed, draw or key, gain, profile, format, and the initializer\'s own parameters as further fields (`?mode=fan_out`).'

function jsonLocation (request: FastifyRequest, id: string): string {
  const query = new URLSearchParams(request.url.split('?')[1] ?? '')
  query.delete('format')
  const text = query.toString()
  return `/v1/tensors/${encodeURIComponent(id)}/json${text === '' ? '' : `?${text}`}`
}

export const tensorRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  const get = (method: Method) => async (request: FastifyRequest<{ Params: { id: string }, Querystring: TensorQuery }>, reply: FastifyReply) => {
    const plan: Plan = planFromQuery(request.params.id, request.query, ctx.limits)
    const format = chooseFormat(request, OFFERS, request.query.format)
    // RFC 9110 §15.4.4: 303 sends the client to the other resource with a GET.
    // Vary: the redirect may have been chosen by Accept (RFC 9110 §12.5.5).
    if (format === 'json') return reply.header('vary', 'Accept').redirect(jsonLocation(request, request.params.id), 303)
    return sendRepresentation(ctx, request, reply, describeBinaryTensor(ctx, plan, format), METHOD_SEMANTICS[method])
  }

  const getSchema = (method: 'GET' | 'HEAD') => ({
    operationId: method === 'GET' ? 'getTensor' : 'headTensor',
    summary: method === 'GET' ? 'Stream a tensor (raw, npy or safetensors)' : 'Headers of a tensor, computing nothing',
    description: method === 'GET'
      ? `The same query always yields the same bytes. ${QUERY_DOC} Accept or format picks the representation; Range, If-Range, If-None-Match and If-Match are honoured.`
      : `All the headers of the GET (Content-Length, ETag, metadata); no element is computed. ${QUERY_DOC}`,
    tags: ['tensors'],
    security: OPTIONAL_BEARER,
    params: TensorIdParamsSchema,
    querystring: BinaryTensorQuerySchema,
    response: binaryResponses(method)
  })

  // Registered explicitly: fastify's automatic HEAD would run the GET handler and read the whole
  // stream, computing the tensor only to discard it (node-stack-notes §3.4).
  app.route({ method: 'HEAD', url: '/v1/tensors/:id', schema: getSchema('HEAD'), config: DOCUMENTED_HEAD, handler: get('HEAD') })
  app.route({ method: 'GET', url: '/v1/tensors/:id', schema: getSchema('GET'), handler: get('GET') })

  app.post('/v1/tensors', {
    schema: {
      operationId: 'createTensor',
      summary: 'Stream a tensor described by a JSON body',
      description: 'The GET request as a JSON body; identical bytes for the same request. `initializer` may also be a Keras config object. Range does not apply to POST (RFC 9110 §14.2).',
      tags: ['tensors'],
      security: OPTIONAL_BEARER,
      body: Type.Ref('TensorRequest'),
      response: binaryResponses('POST')
    }
  }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const plan = planFromBody(body, ctx.limits)
    const format = chooseFormat(request, OFFERS, body.format as string | undefined)
    // §15.4.8: 307 keeps the method and body.
    if (format === 'json') return reply.header('vary', 'Accept').redirect('/v1/tensors/json', 307)
    return sendRepresentation(ctx, request, reply, describeBinaryTensor(ctx, plan, format), METHOD_SEMANTICS.POST)
  })
}
