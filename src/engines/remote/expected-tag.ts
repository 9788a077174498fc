import { tensorDigest } from '../../core/plan-digest.ts'
import { exactnessLabel } from '../../core/exactness.ts'
import type { Plan } from '../../core/plan.ts'
import type { Exactness } from '../../core/exactness.ts'

/**
 * What a host's answer for a plan must carry. The ETag is a strong validator (RFC 9110 §8.8.3)
 * that hashes the host's canonical plan, the format and its exactness class, so a host that
 * parsed the request into another plan (other defaults, another version), or computes another
 * class, gives another tag. Equal tags are what lets the gateway splice byte ranges from several
 * hosts into one representation: §14.2 only allows combining ranges of the *same* representation,
 * which is what a matching strong validator establishes (§13.1.5, If-Range uses the same rule).
 */
export interface ExpectedRepresentation {
  etag: string
  exactness: string
  profile: string
  totalBytes: number
}

export function expectedRepresentation (plan: Plan, exactness: Exactness, totalBytes: number): ExpectedRepresentation {
  return {
    // The host's ETag is the digest of its plan's raw representation as a strong opaque-tag.
    etag: `"${tensorDigest(plan, 'raw', exactness)}"`,
    exactness: exactnessLabel(exactness),
    profile: plan.profile,
    totalBytes
  }
}
