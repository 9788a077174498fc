import { TensorInitError } from '../core/errors.ts'
import { elementCount, type Plan } from '../core/plan.ts'
import { itemSize } from '../core/dtype.ts'
import { encodeJsonBuffersFromChunks, maxJsonBytes } from '../formats/json.ts'
import { streamHoldBound } from './admission.ts'
import type { ServiceContext } from './context.ts'
import { tensorEtag } from './etag.ts'
import { representationHeaders, type Representation } from './representation.ts'
import { tensorHeaders } from './tensor-metadata.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * A tensor as JSON (design §2, src/formats/json.ts). Its length is only known once the text is
 * written, so it has no byte ranges and a HEAD omits Content-Length (RFC 9110 §9.3.2). It is
 * bounded in size and built whole before anything is sent: a tensor JSON cannot represent (NaN,
 * infinities) still gets a proper problem. Throws 'json-too-large' beyond JSON_MAX_ELEMENTS,
 * before any work.
 */
export function describeJsonTensor (ctx: ServiceContext, plan: Plan): Representation {
  const count = elementCount(plan.shape)
  if (count > ctx.limits.jsonMaxElements) {
    throw new TensorInitError('json-too-large',
      `The tensor has ${count} elements; JSON is limited to ${ctx.limits.jsonMaxElements}. Request it as application/octet-stream, application/x-npy or application/vnd.safetensors (format=raw|npy|safetensors on GET /v1/tensors/{id}).`,
      '/shape')
  }
  const { engine } = ctx
  const exactness = engine.exactness(plan)
  const etag = tensorEtag(plan, 'json', exactness)
  return {
    format: 'json',
    etag,
    headers: {
      // The JSON text is computed whole, so byte ranges of it would save nothing.
      ...representationHeaders(JSON_TYPE, etag, 'none'),
      ...tensorHeaders({ plan, exactness, engine: engine.info, serviceVersion: ctx.version })
    },
    length: undefined,
    // Held at once: the element bytes, the engine's window filling them, the text's buffers and
    // the one body they are joined into (both at most maxJsonBytes).
    holdBytes: count * itemSize(plan.dtype) + streamHoldBound(engine.info) + 2 * maxJsonBytes(plan),
    noun: 'representation',
    ownsChunks: true,
    stream: async function * (_range, options) {
      // ASCII buffers, one per encoding slice (src/formats/json.ts encodeJsonBuffers).
      yield * await encodeJsonBuffersFromChunks(plan, engine.stream(plan, { start: 0, end: count }, { ...options, exactness }))
    }
  }
}
