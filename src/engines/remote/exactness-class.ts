import { exactnessLabel } from '../../core/exactness.ts'
import type { Exactness } from '../../core/exactness.ts'

/**
 * Design §1: a response is assembled from one exactness class only. Hosts are grouped by the
 * label of their class for the request's profile ("exact", "close;ulp=2"); two hosts of one label
 * produce identical bytes, so ranges from both can be spliced.
 */
export function classLabel (exactness: Exactness): string {
  return exactnessLabel(exactness)
}

/** Exact first, then the fewest ulp. */
function rank (e: Exactness): number {
  return e.class === 'exact' ? -1 : e.ulp
}

/**
 * The class that serves a profile among the ready hosts' classes, or undefined when none may.
 * `largest` takes the class with the most hosts (throughput), breaking ties toward exactness;
 * `exact` admits the exact class only.
 */
export function chooseClass (classes: readonly Exactness[], policy: 'largest' | 'exact'): Exactness | undefined {
  const groups = new Map<string, { exactness: Exactness, hosts: number }>()
  for (const exactness of classes) {
    if (policy === 'exact' && exactness.class !== 'exact') continue
    const label = classLabel(exactness)
    const group = groups.get(label)
    if (group === undefined) groups.set(label, { exactness, hosts: 1 })
    else group.hosts++
  }
  let best: { exactness: Exactness, hosts: number } | undefined
  for (const group of groups.values()) {
    if (best === undefined || group.hosts > best.hosts ||
      (group.hosts === best.hosts && rank(group.exactness) < rank(best.exactness))) best = group
  }
  return best?.exactness
}
