/**
 * A tensor request as the HTTP layer hands it over (GET query fields or the POST body), before
 * validation. `source` says whether values may be strings to coerce (query) or must be typed (json).
 */
export interface TensorRequest {
  initializer: unknown
  shape: unknown
  dtype?: unknown
  seed?: unknown
  draw?: unknown
  key?: unknown
  gain?: unknown
  params?: Readonly<Record<string, unknown>>
  profile?: unknown
}
