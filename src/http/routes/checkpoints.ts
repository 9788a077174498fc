import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Limits } from '../../core/limits.ts'
import { buildManifestAsync, MAX_CHECKPOINT_TENSORS, type ManifestLimits } from '../../initializers/manifest.ts'
import { describeCheckpoint } from '../checkpoint-representation.ts'
import type { ServiceContext } from '../context.ts'
import { chooseFormat } from '../negotiate.ts'
import { ACCESS_ERRORS, BINARY_BODY, CLIENT_ERROR, OPTIONAL_BEARER, OVERLOADED, problemResponse } from '../schemas/responses.ts'
import { sendRepresentation, type MethodSemantics } from '../send-representation.ts'

/**
 * A manifest of 10 000 tensors with parameters is a few MiB of JSON, past the app-wide 1 MiB
 * body limit meant for single-tensor requests.
 */
const MANIFEST_BODY_LIMIT = 16 * 2 ** 20

/**
 * The checkpoint limits are not config values yet (src/config.ts has no field for them): the tensor
 * count uses MAX_CHECKPOINT_TENSORS and the whole file's data the per-tensor MAX_BYTES.
 */
function manifestLimits (limits: Limits): ManifestLimits {
  return { ...limits, maxTensors: MAX_CHECKPOINT_TENSORS, maxTotalBytes: limits.maxBytes }
}

/**
 * The response is a pure function of the body, so this POST defines range handling and
 * conditional requests as GET has them (RFC 9110 §14.2 leaves range handling to the method's
 * definition; DESCRIPTION says so to clients).
 */
const PURE_POST: MethodSemantics = { conditional: true, ranges: true, headersOnly: false }

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
      security: OPTIONAL_BEARER,
      body: Type.Ref('CheckpointRequest'),
      response: {
        200: { description: 'The checkpoint as one safetensors file.', headers: headersDoc, content: safetensorsContent },
        206: { description: 'One byte range of it (single Range); only the tensors it covers are computed.', headers: headersDoc, content: safetensorsContent },
        304: { description: 'If-None-Match matched: the cached copy is current.', type: 'null' },
        406: problemResponse('Accept excludes application/vnd.safetensors (code not-acceptable).'),
        413: problemResponse('A tensor exceeds MAX_ELEMENTS or MAX_BYTES, or all of them together exceed MAX_BYTES (code tensor-too-large).'),
        416: problemResponse('The Range is outside the file; Content-Range gives its length.'),
        ...ACCESS_ERRORS,
        ...OVERLOADED,
        ...CLIENT_ERROR
      }
    }
  }, async (request, reply) => {
    // In slices that yield to the event loop: a 10 000-tensor manifest is hundreds of ms of work.
    const checkpoint = await buildManifestAsync(request.body, manifestLimits(ctx.limits))
    chooseFormat(request, ['safetensors'], undefined)
    return sendRepresentation(ctx, request, reply, await describeCheckpoint(ctx, checkpoint), PURE_POST)
  })
}
