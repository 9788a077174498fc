import { timeSlicer, type TimeSlicer } from './time-slice.ts'

/** Quoted object keys: the same few names come up in every plan. Bounded, as keys come from input. */
const QUOTED_KEYS = new Map<string, string>()

function quotedKey (key: string): string {
  let quoted = QUOTED_KEYS.get(key)
  if (quoted === undefined) {
    quoted = JSON.stringify(key)
    if (QUOTED_KEYS.size < 4096) QUOTED_KEYS.set(key, quoted)
  }
  return quoted
}

/** An object's own keys in UTF-16 code unit order (Array.prototype.sort's default), by insertion: objects here have a handful. */
function sortedKeys (record: object): string[] {
  const keys = Object.keys(record)
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/**
 * JSON with object keys sorted at every level, so equal values hash equally. Written as loops
 * with cached key quoting rather than entries/filter/sort/map: it runs several times for every
 * tensor request (ETag, headers), where it was the largest share of a small request's own work.
 */
export function canonicalJson (value: unknown): string {
  // Numbers print as JSON.stringify prints them (shortest round trip; non-finite as null).
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return out + ']'
  }
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of sortedKeys(record)) {
    const v = record[key]
    if (v === undefined) continue
    out += (out.length === 1 ? '' : ',') + quotedKey(key) + ':' + canonicalJson(v)
  }
  return out + '}'
}

/** Arrays at least this long are written in time slices by canonicalJsonSliced. */
const SLICED_ARRAY_LENGTH = 256

/**
 * canonicalJson, the same text, written in time slices (time-slice.ts) wherever an array is long:
 * the canonical text of a 10 000-tensor manifest takes tens of milliseconds, too long to hold the
 * event loop for. Elements and small values are written by canonicalJson itself.
 */
export async function canonicalJsonSliced (value: unknown, slicer: TimeSlicer = timeSlicer()): Promise<string> {
  if (Array.isArray(value)) {
    if (value.length < SLICED_ARRAY_LENGTH) return canonicalJson(value)
    let out = '['
    for (let i = 0; i < value.length; i++) {
      out += (i === 0 ? '' : ',') + await canonicalJsonSliced(value[i], slicer)
      await slicer.pause()
    }
    return out + ']'
  }
  if (typeof value !== 'object' || value === null) return canonicalJson(value)
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of sortedKeys(record)) {
    const v = record[key]
    if (v === undefined) continue
    out += (out.length === 1 ? '' : ',') + quotedKey(key) + ':' + await canonicalJsonSliced(v, slicer)
  }
  return out + '}'
}
