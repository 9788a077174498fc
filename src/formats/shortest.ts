/**
 * Shortest round-trip decimals for each float width.
 *
 * JS prints numbers with the shortest digits that identify the *double* (ECMA-262
 * Number::toString), so Math.fround(0.1) prints as 0.10000000149011612. For a float32, float16 or
 * bfloat16 element we want the shortest decimal that identifies the element in its own precision:
 * float32 needs at most 9 significant digits, float16 5, bfloat16 4 (frameworks-and-formats §4.4).
 *
 * Method: find the least p for which a p-digit decimal reads back as the same element, trying
 * toPrecision(p), the p-digit decimal nearest to the value (ECMA-262 Number.prototype.toPrecision).
 * Reading back is monotonic (parse, then round), so the decimals that read back as v form an
 * interval around v, symmetric except at a power of two, where the spacing below v is half the
 * spacing above. There the nearest p-digit decimal may fall short on the narrow side while its
 * neighbour on the wide side reads back, so that neighbour is tried too. The result has the fewest
 * digits, and of those the nearest: the same length as NumPy's Dragon4 `unique=True` output
 * (which may pick the other neighbour on an exact tie).
 */
import { roundToBfloat16, roundToFloat16 } from './half-decode.ts'

/**
 * A finite number's text, as String(value) prints it (ECMA-262 Number::toString; JSON's
 * SerializeJSONProperty prints a finite number with the same ToString), but without V8's
 * number-to-string cache: String() keeps its recent results alive in that cache, so a million
 * conversions promote their strings out of the young generation into old space, where an idle
 * process never collects them (issue 12: three 1M-element float64 documents left the heap 60 MiB
 * larger and RSS 100 MiB above its start for good). JSON.stringify's serializer prints into its
 * own buffer and caches nothing (measured: 4M float64 in slices, heap 51 -> 21 MiB, 16 -> 2
 * mark-compacts, as fast).
 */
export function numberText (value: number): string {
  return JSON.stringify(value)
}

function isPowerOfTwo (value: number): boolean {
  const magnitude = Math.abs(value)
  return magnitude > 0 && 2 ** Math.round(Math.log2(magnitude)) === magnitude
}

/** The p-digit decimal next to |value|'s nearest one, one unit in the last digit away from zero. */
function awayFromZero (value: number, p: number): number {
  const [mantissa = '', exponent = '0'] = Math.abs(value).toExponential(p - 1).split('e')
  const units = Number(mantissa.replace('.', '')) + 1
  const magnitude = Number(`${units}e${Number(exponent) - (p - 1)}`)
  return value < 0 ? -magnitude : magnitude
}

/** A p-digit decimal that reads back as `value`, if there is one (see the method above). */
function withDigits (value: number, p: number, powerOfTwo: boolean, readsBack: (parsed: number) => boolean): number | undefined {
  const nearest = Number(value.toPrecision(p))
  if (readsBack(nearest)) return nearest
  if (powerOfTwo && Math.abs(nearest) < Math.abs(value)) {
    const wide = awayFromZero(value, p)
    if (readsBack(wide)) return wide
  }
  return undefined
}

/**
 * Binary search for the fewest digits: whether some p-digit decimal reads back is monotonic in p
 * (a p-digit decimal is also a (p+1)-digit one) and withDigits answers it exactly.
 * `maxDigits` always suffice for the format (9 for float32, 5 for float16, 4 for bfloat16).
 * The text is that of the double the decimal parses to: its own shortest form has at most p
 * digits, in JS's JSON-valid syntax ("1e+21", "1.5e-7", "100000", not toPrecision's "1.0e+5").
 */
function shortestFor (value: number, maxDigits: number, readsBack: (parsed: number) => boolean): string {
  if (Object.is(value, -0)) return '-0.0'
  const powerOfTwo = isPowerOfTwo(value)
  let found: number | undefined
  let low = 1
  let high = maxDigits
  while (low < high) {
    const middle = (low + high) >> 1
    const parsed = withDigits(value, middle, powerOfTwo, readsBack)
    if (parsed === undefined) {
      low = middle + 1
    } else {
      found = parsed
      high = middle
    }
  }
  found ??= withDigits(value, maxDigits, powerOfTwo, readsBack)
  // Not reached for finite elements of the format; JS's own shortest form identifies the double
  // exactly, so it would be a correct, if longer, answer.
  return numberText(found ?? value)
}

/**
 * Shortest decimal that a reader turns back into the same float32 (`Math.fround(Number(s))`,
 * which is what JSON.parse + Float32Array and Python float + numpy.float32 do).
 */
export function shortestFloat32 (value: number): string {
  return shortestFor(value, 9, (parsed) => Math.fround(parsed) === value)
}

/**
 * Shortest decimal that reads back as the same float16, whether the reader rounds the parsed
 * double straight to half (numpy's npy_double_to_half) or through float32 first (PyTorch's
 * c10::Half(float), Float16Array polyfills); the two can differ when a decimal sits next to a
 * half-way point, and the output must survive both.
 */
export function shortestFloat16 (value: number): string {
  return shortestFor(value, 5, (parsed) =>
    roundToFloat16(parsed) === value && roundToFloat16(Math.fround(parsed)) === value)
}

/** As shortestFloat16, for bfloat16 (ml_dtypes rounds from double, PyTorch from float). */
export function shortestBfloat16 (value: number): string {
  return shortestFor(value, 4, (parsed) =>
    roundToBfloat16(parsed) === value && roundToBfloat16(Math.fround(parsed)) === value)
}

/** Float64 elements: JS's own printing is already shortest round-trip for doubles. */
export function shortestFloat64 (value: number): string {
  if (Object.is(value, -0)) return '-0.0'
  return numberText(value)
}
