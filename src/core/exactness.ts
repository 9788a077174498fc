/**
 * How an engine's bytes relate to the plan's profile (design §1 "Apple GPUs"): `exact` means
 * bit-identical to the CPU reference; `close` means within `ulp` units in the last place.
 * A response is assembled from one class only, and the class is part of the ETag.
 */
export type Exactness = { class: 'exact' } | { class: 'close', ulp: number }

/** The class as response headers, metadata and tags spell it: `exact` or `close;ulp=N`. */
export function exactnessLabel (exactness: Exactness): string {
  return exactness.class === 'exact' ? 'exact' : `close;ulp=${exactness.ulp}`
}

/** The class of bytes assembled from parts of these classes: the loosest of them (design §1). */
export function combinedExactness (exactness: Iterable<Exactness>): Exactness {
  let ulp: number | undefined
  for (const e of exactness) if (e.class === 'close') ulp = Math.max(ulp ?? 0, e.ulp)
  return ulp === undefined ? { class: 'exact' } : { class: 'close', ulp }
}
