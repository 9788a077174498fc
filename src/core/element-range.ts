/** A half-open element range [start, end) of a tensor in C order. */
export interface ElementRange { start: number, end: number }

/**
 * Throws a RangeError unless `range` is a valid range of a tensor of `count` elements:
 * integers with 0 <= start <= end <= count. Engines, kernels and encoders all check the same rule
 * before touching memory, so a bad range is a programming error caught where it enters, never a
 * short or misplaced body.
 */
export function checkElementRange (range: ElementRange, count: number): void {
  const { start, end } = range
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > count) {
    throw new RangeError(`element range [${String(start)}, ${String(end)}) outside [0, ${count})`)
  }
}
