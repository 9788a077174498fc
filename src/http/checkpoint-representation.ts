import type { ElementRange } from '../core/element-range.ts'
import { combinedExactness, exactnessLabel, type Exactness } from '../core/exactness.ts'
import { canonicalJsonSliced } from '../core/canonical-json.ts'
import { itemSize } from '../core/dtype.ts'
import type { Plan } from '../core/plan.ts'
import { encodeCheckpointBody } from '../formats/body.ts'
import { checkpointEncodingSliced, type SafetensorsMetadata } from '../formats/safetensors.ts'
import type { CheckpointPlan } from '../initializers/manifest.ts'
import type { ServiceContext } from './context.ts'
import { checkpointEtag } from './etag.ts'
import { representationHeaders, type Representation } from './representation.ts'

/** The filename Hugging Face tooling expects for a single-file checkpoint. */
const FILENAME = 'model.safetensors'

/**
 * A whole-model checkpoint as one safetensors file: everything about the file that is known before
 * any element is computed. Bytes are laid out by descending item size, manifest order within a
 * size, as the reference writer's `prepare` does (frameworks-and-formats §4.2): with the 8-aligned
 * header every tensor then starts naturally aligned, so mmap readers can use it in place. The keys
 * do not depend on this order. A response is assembled from one exactness class (design §1): the
 * loosest of its tensors'.
 */
export async function describeCheckpoint (ctx: ServiceContext, checkpoint: CheckpointPlan): Promise<Representation> {
  const { engine } = ctx
  const order = checkpoint.tensors.map((_, i) => i)
  const size = (i: number): number => itemSize(checkpoint.tensors[i]!.plan.dtype)
  order.sort((a, b) => size(b) - size(a) || a - b)
  /** plans[j] fills the j-th tensor of the file. */
  const plans: Plan[] = order.map((i) => checkpoint.tensors[i]!.plan)
  const classes = plans.map((plan) => engine.exactness(plan))
  const exactness = combinedExactness(classes)
  const { manifest } = checkpoint
  // __metadata__ is a string->string map (§4.2). `format: pt` because transformers refuses files
  // whose format is not one of pt/tf/flax/mlx and older versions need it present; MLX ignores it,
  // and "pt" is what the single-tensor safetensors carry too.
  const metadata: SafetensorsMetadata = {
    format: 'pt',
    // In time slices (issue 12): a 10 000-tensor manifest's text takes tens of milliseconds.
    'tensor_init.manifest': await canonicalJsonSliced(manifest),
    'tensor_init.seed': manifest.seed,
    'tensor_init.keys': manifest.keys,
    'tensor_init.profile': manifest.profile,
    'tensor_init.engine': engine.info.name,
    'tensor_init.exactness': exactnessLabel(exactness),
    'tensor_init.version': ctx.version
  }
  const encoding = await checkpointEncodingSliced(
    order.map((i) => ({ name: checkpoint.tensors[i]!.name, shape: checkpoint.tensors[i]!.plan.shape, dtype: checkpoint.tensors[i]!.plan.dtype })),
    metadata
  )
  const etag = await checkpointEtag(plans, metadata, exactness)
  return {
    format: 'safetensors',
    etag,
    headers: {
      ...representationHeaders(encoding.contentType, etag, 'bytes'),
      'content-disposition': `attachment; filename="${FILENAME}"`,
      'x-tensor-profile': manifest.profile,
      'x-tensor-engine': engine.info.name,
      'x-tensor-exactness': exactnessLabel(exactness),
      'x-checkpoint-tensors': String(checkpoint.tensors.length),
      'x-checkpoint-keys': manifest.keys
    },
    length: encoding.totalBytes,
    noun: 'checkpoint',
    // Pulled tensor by tensor: encodeCheckpointBody opens a tensor's stream only once the previous
    // one's bytes have been consumed, and the engine runs a bounded window ahead of the socket.
    // The tensors' streams follow one another, so they can share one recycler (body-stream.ts).
    // Each tensor is streamed in the class its part of the tag was computed for.
    stream: (range, options) => encodeCheckpointBody(encoding, range, (tensor: number, elements: ElementRange) =>
      engine.stream(plans[tensor] as Plan, elements, { ...options, exactness: classes[tensor] as Exactness }))
  }
}
