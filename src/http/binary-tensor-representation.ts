import type { ElementRange } from '../core/element-range.ts'
import { itemSize } from '../core/dtype.ts'
import type { Plan } from '../core/plan.ts'
import { binaryEncoding } from '../formats/binary.ts'
import { encodeBody, encodeBodyNow } from '../formats/body.ts'
import { mapTensorRange } from '../formats/byte-range.ts'
import type { BinaryFormat } from '../formats/encoding.ts'
import type { ServiceContext } from './context.ts'
import { tensorEtag } from './etag.ts'
import { representationHeaders, type Representation } from './representation.ts'
import { contentDisposition, safetensorsMetadata, tensorHeaders, type TensorProvenance } from './tensor-metadata.ts'

/** Name of the one tensor in a single-tensor safetensors file (`mx.load(path)['tensor']`). */
export const SAFETENSORS_TENSOR_NAME = 'tensor'

const NO_ELEMENTS = new Uint8Array(0)

/**
 * A tensor in a binary format (design §2): everything about it that is known before any element
 * is computed, its length included, so Range, HEAD and Content-Length all work up front.
 */
export function describeBinaryTensor (ctx: ServiceContext, plan: Plan, format: BinaryFormat): Representation {
  const { engine } = ctx
  const provenance: TensorProvenance = {
    plan,
    exactness: engine.exactness(plan),
    engine: engine.info,
    serviceVersion: ctx.version
  }
  // Only safetensors has a header of metadata; raw and npy carry the recipe in header fields.
  const metadata = format === 'safetensors' ? safetensorsMetadata(provenance) : undefined
  const encoding = binaryEncoding(format, { name: SAFETENSORS_TENSOR_NAME, shape: plan.shape, dtype: plan.dtype }, metadata)
  // The metadata (service version included) is part of the body, so it is part of the tag.
  const etag = tensorEtag(plan, format, provenance.exactness, metadata)
  const size = itemSize(plan.dtype)
  return {
    format,
    etag,
    headers: {
      ...representationHeaders(encoding.contentType, etag, 'bytes'),
      'content-disposition': contentDisposition(plan, encoding.fileExtension),
      ...tensorHeaders(provenance)
    },
    length: encoding.totalBytes,
    noun: 'representation',
    stream: (range, options) =>
      encodeBody(encoding, size, range, (elements: ElementRange) => engine.stream(plan, elements, { ...options, exactness: provenance.exactness })),
    now: (range) => {
      const parts = mapTensorRange(encoding, size, range)
      const covered = parts.elements
      // Tiny float32 ranges: the cpu engine computes them on this thread, no worker round trip.
      const bytes = covered.start === covered.end ? NO_ELEMENTS : engine.computeNow?.(plan, covered)
      return bytes === undefined ? undefined : encodeBodyNow(parts, size, bytes)
    }
  }
}
