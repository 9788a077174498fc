import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { Limits } from '../../core/limits.ts'
import { ChunkRecycler } from '../../engines/chunk-recycler.ts'
import type { Exactness } from '../../core/exactness.ts'
import type { ElementRange } from '../../core/element-range.ts'
import {
  checkpointEncoding, encodeCheckpointBody, type CheckpointEncoding, type SafetensorsMetadata
} from '../../formats/index.ts'
import { itemSize } from '../../core/dtype.ts'
import { buildManifest, MAX_CHECKPOINT_TENSORS, type CheckpointPlan, type ManifestLimits } from '../../initializers/manifest.ts'
import type { Plan } from '../../core/plan.ts'
import { IMMUTABLE, sendNotModified } from '../binary-response.ts'
import { bodyStream, clientGoneSignal } from '../body-stream.ts'
import { evaluatePreconditions } from '../conditional.ts'
import type { ServiceContext } from '../context.ts'
import { exactnessLabel } from '../../core/exactness.ts'
import { canonicalJson } from '../../core/canonical-json.ts'
import { chooseFormat } from '../negotiate.ts'
import { contentRange } from '../range-header.ts'
import { requestedRange, sendRangeNotSatisfiable } from '../range-request.ts'
import { BINARY_BODY, CLIENT_ERROR, problemResponse } from '../schemas/responses.ts'

/** Bump when the bytes of a checkpoint change for an unchanged manifest. */
const ETAG_SCHEME = 'tensor-init/checkpoint/1'

/**
 * A manifest of 10 000 tensors with parameters is a few MiB of JSON, past the app-wide 1 MiB
 * body limit meant for single-tensor requests.
 */
const MANIFEST_BODY_LIMIT = 16 * 2 ** 20

/** The filename Hugging Face tooling expects for a single-file checkpoint. */
const FILENAME = 'model.safetensors'

/**
 * The checkpoint limits are not config values yet (src/config.ts has no field for them): the tensor
 * count uses MAX_CHECKPOINT_TENSORS and the whole file's data the per-tensor MAX_BYTES.
 */
function manifestLimits (limits: Limits): ManifestLimits {
  return { ...limits, maxTensors: MAX_CHECKPOINT_TENSORS, maxTotalBytes: limits.maxBytes }
}

interface CheckpointRepresentation {
  encoding: CheckpointEncoding
  /** plans[j] fills encoding.tensors[j] (byte order, which may differ from manifest order). */
  plans: Plan[]
  etag: string
  exactness: Exactness
}

/** A response is assembled from one exactness class (design §1): the loosest of its tensors'. */
function combinedExactness (exactness: Exactness[]): Exactness {
  let ulp: number | undefined
  for (const e of exactness) if (e.class === 'close') ulp = Math.max(ulp ?? 0, e.ulp)
  return ulp === undefined ? { class: 'exact' } : { class: 'close', ulp }
}

/**
 * Everything about the file that is known before any element is computed. Bytes are laid out by
 * descending item size, manifest order within a size, as the reference writer's `prepare` does
 * (frameworks-and-formats §4.2): with the 8-aligned header every tensor then starts naturally
 * aligned, so mmap readers can use it in place. The keys do not depend on this order.
 */
function describeCheckpoint (ctx: ServiceContext, checkpoint: CheckpointPlan): CheckpointRepresentation {
  const order = checkpoint.tensors.map((_, i) => i)
  const size = (i: number): number => itemSize(checkpoint.tensors[i]!.plan.dtype)
  order.sort((a, b) => size(b) - size(a) || a - b)
  const plans = order.map((i) => checkpoint.tensors[i]!.plan)
  const exactness = combinedExactness(plans.map((plan) => ctx.engine.exactness(plan)))
  const { manifest } = checkpoint
  // __metadata__ is a string->string map (§4.2). `format: pt` because transformers refuses files
  // whose format is not one of pt/tf/flax/mlx and older versions need it present; MLX ignores it,
  // and "pt" is what the single-tensor safetensors carry too.
  const metadata: SafetensorsMetadata = {
    format: 'pt',
    'tensor_init.manifest': canonicalJson(manifest),
    'tensor_init.seed': manifest.seed,
    'tensor_init.keys': manifest.keys,
    'tensor_init.profile': manifest.profile,
    'tensor_init.engine': ctx.engine.info.name,
    'tensor_init.exactness': exactnessLabel(exactness),
    'tensor_init.version': ctx.version
  }
  const encoding = checkpointEncoding(
    order.map((i) => ({ name: checkpoint.tensors[i]!.name, shape: checkpoint.tensors[i]!.plan.shape, dtype: checkpoint.tensors[i]!.plan.dtype })),
    metadata
  )
  // Strong tag (RFC 9110 §8.8.3): everything the bytes depend on. The metadata carries the resolved
  // manifest and service version; the plans carry the recipes and keys the manifest resolved to.
  const etag = `"${createHash('sha256')
    .update(canonicalJson({ scheme: ETAG_SCHEME, metadata, plans, order, exactness: exactnessLabel(exactness) }))
    .digest('base64url')}"`
  return { encoding, plans, etag, exactness }
}

function setHeaders (ctx: ServiceContext, reply: FastifyReply, rep: CheckpointRepresentation, checkpoint: CheckpointPlan): void {
  reply.header('content-type', rep.encoding.contentType)
  reply.header('etag', rep.etag)
  reply.header('cache-control', IMMUTABLE)
  reply.header('vary', 'Accept')
  reply.header('accept-ranges', 'bytes')
  reply.header('content-disposition', `attachment; filename="${FILENAME}"`)
  reply.header('x-tensor-profile', checkpoint.manifest.profile)
  reply.header('x-tensor-engine', ctx.engine.info.name)
  reply.header('x-tensor-exactness', exactnessLabel(rep.exactness))
  reply.header('x-checkpoint-tensors', String(checkpoint.tensors.length))
  reply.header('x-checkpoint-keys', checkpoint.manifest.keys)
}

const headersDoc = {
  'Content-Length': { type: 'integer', description: 'Computed before any element is.' },
  ETag: { type: 'string', description: 'Strong tag of the resolved manifest, profile, service version and engine exactness class.' },
  'X-Tensor-Profile': { type: 'string' },
  'X-Tensor-Engine': { type: 'string' },
  'X-Tensor-Exactness': { type: 'string', description: 'exact, or close;ulp=N (the loosest tensor\'s).' },
  'X-Checkpoint-Tensors': { type: 'string', description: 'Number of tensors in the file.' },
  'X-Checkpoint-Keys': { type: 'string', description: 'sequence or name.' }
}

const safetensorsContent = { 'application/vnd.safetensors': { schema: BINARY_BODY } }

const DESCRIPTION = [
  'Streams every tensor of the manifest as one safetensors file: the header (with `__metadata__` recording the resolved manifest as JSON, the profile and the service version) is computed up front, the tensors are generated lazily, one after the other.',
  'Keys follow MLX by default: `mx.random.seed(seed)` once, then the initializers called in manifest order (tensor i is the single-tensor request with draw = the keys taken by the tensors before it). `keys: "name"` gives each tensor a seed derived from (seed, name) instead.',
  'The response is a pure function of the body, so this operation defines range handling and conditional requests for POST as GET has them (RFC 9110 §14.2 leaves range handling to the method\'s definition): a single Range answers 206 and computes only the tensors it covers, If-Range is honoured, an unsatisfiable range answers 416, If-None-Match with the current ETag answers 304, and an If-Match without it 412.',
  'Bytes are ordered by descending item size (natural alignment for mmap), then manifest order; the header lists each tensor\'s data_offsets. `__metadata__` also holds `format: "pt"`, which Hugging Face transformers requires (one of pt, tf, flax, mlx) and MLX ignores. The manifest may be up to 16 MiB of JSON and list up to 10 000 tensors.'
].join('\n\n')

export const checkpointRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  app.post('/v1/checkpoints', {
    bodyLimit: MANIFEST_BODY_LIMIT,
    schema: {
      operationId: 'createCheckpoint',
      summary: 'Stream a whole-model checkpoint (safetensors) described by a manifest',
      description: DESCRIPTION,
      tags: ['tensors'],
      body: Type.Ref('CheckpointRequest'),
      response: {
        200: { description: 'The checkpoint as one safetensors file.', headers: headersDoc, content: safetensorsContent },
        206: { description: 'One byte range of it (single Range); only the tensors it covers are computed.', headers: headersDoc, content: safetensorsContent },
        304: { description: 'If-None-Match matched: the cached copy is current.', type: 'null' },
        406: problemResponse('Accept excludes application/vnd.safetensors (code not-acceptable).'),
        413: problemResponse('A tensor exceeds MAX_ELEMENTS or MAX_BYTES, or all of them together exceed MAX_BYTES (code tensor-too-large).'),
        416: problemResponse('The Range is outside the file; Content-Range gives its length.'),
        ...CLIENT_ERROR
      }
    }
  }, async (request, reply) => {
    const checkpoint = buildManifest(request.body, manifestLimits(ctx.limits))
    chooseFormat(request, ['safetensors'], undefined)
    return sendCheckpoint(ctx, request, reply, checkpoint)
  })
}

function sendCheckpoint (ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, checkpoint: CheckpointPlan): FastifyReply {
  const rep = describeCheckpoint(ctx, checkpoint)
  const { encoding } = rep
  if (evaluatePreconditions(request.headers, rep.etag) === 'not-modified') return sendNotModified(reply, rep.etag)

  const range = requestedRange(request, rep.etag, encoding.totalBytes)
  if (range === 'unsatisfiable') return sendRangeNotSatisfiable(request, reply, encoding.totalBytes, 'checkpoint')

  setHeaders(ctx, reply, rep, checkpoint)
  reply.header('content-length', String(range === undefined ? encoding.totalBytes : range.last - range.first + 1))
  if (range !== undefined) reply.code(206).header('content-range', contentRange(range.first, range.last, encoding.totalBytes))

  const { metrics, engine } = ctx
  const format = 'safetensors'
  const signal = clientGoneSignal(reply, () => metrics.streamsAborted.inc({ format }))
  // Pulled tensor by tensor: encodeCheckpointBody opens a tensor's stream only once the previous
  // one's bytes have been consumed, and the engine runs a bounded window ahead of the socket.
  // The tensors' streams follow one another, so they can share one recycler (body-stream.ts).
  const recycler = new ChunkRecycler()
  const produce = (tensor: number, elements: ElementRange): AsyncIterable<Uint8Array> =>
    engine.stream(rep.plans[tensor] as Plan, elements, { signal, recycler })
  const chunks = encodeCheckpointBody(encoding, range, produce)
  metrics.streamsActive.inc()
  reply.raw.once('close', () => metrics.streamsActive.dec())
  return reply.send(bodyStream(chunks, {
    onBytes: (n) => metrics.bytesStreamed.inc({ format }, n),
    recycle: { response: reply.raw, recycler }
  }))
}
