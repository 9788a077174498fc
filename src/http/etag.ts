import { canonicalJsonSliced } from '../core/canonical-json.ts'
import { timeSlicer } from '../core/time-slice.ts'
import { exactnessLabel, type Exactness } from '../core/exactness.ts'
import { digestLines, planText, tensorDigest } from '../core/plan-digest.ts'
import type { Plan } from '../core/plan.ts'

/**
 * Strong entity tags (RFC 9110 §8.8.3) of the representations: a digest of everything their bytes
 * depend on (src/core/plan-digest.ts), as an opaque-tag. Equal tags mean byte-identical bodies,
 * which is what "strong" promises.
 */

/** One representation of a plan: its digest in `format`, with `extra` for anything else in the body. */
export function tensorEtag (plan: Plan, format: string, exactness: Exactness, extra?: unknown): string {
  return `"${tensorDigest(plan, format, exactness, extra)}"`
}

/**
 * Bump when the bytes of a checkpoint change for an unchanged manifest. Version 1 hashed a generic
 * JSON of the same inputs; version 2 is the plan digest scheme of single tensors.
 */
const CHECKPOINT_DIGEST_SCHEME = 'tensor-init/checkpoint/2'

/**
 * A checkpoint: its exactness class, its `__metadata__` (the resolved manifest, which names the
 * tensors and fixes their byte order, and the service version), then the text of each tensor's
 * plan in byte order (the recipes and keys the manifest resolved to). Each plan text is a fixed
 * number of lines, and the variable-length list comes last, so distinct inputs give distinct texts.
 */
export async function checkpointEtag (plansInByteOrder: readonly Plan[], metadata: Readonly<Record<string, string>>, exactness: Exactness): Promise<string> {
  // In time slices: the canonical texts of 10 000 plans take tens of milliseconds (issue 12).
  const slicer = timeSlicer()
  const lines = [CHECKPOINT_DIGEST_SCHEME, exactnessLabel(exactness), await canonicalJsonSliced(metadata, slicer)]
  for (const plan of plansInByteOrder) {
    lines.push(planText(plan))
    await slicer.pause()
  }
  return `"${digestLines(lines)}"`
}
