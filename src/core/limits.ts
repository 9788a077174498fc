/**
 * The request limits (design §4: every limit is a config value, enforced before work starts).
 * src/config.ts fills them from the environment; the initializers and http layers enforce them.
 */
export interface Limits {
  /** Most elements in one tensor. */
  maxElements: number
  /** Most bytes of element data in one tensor. */
  maxBytes: number
  /** Most dimensions in a shape. */
  maxRank: number
  /** Highest `draw` index. */
  maxDraw: number
  /** Most elements in a JSON representation. */
  jsonMaxElements: number
}
