import type { Dispatcher } from 'undici'
import type { ExpectedRepresentation } from './expected-tag.ts'
import { HostFailure } from './host-failure.ts'
import type { WorkerHost } from './worker-host.ts'

type IncomingHttpHeaders = Dispatcher.ResponseData['headers']

function header (headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * Checks that an answer is bytes first..last of the expected representation, and says why not.
 * RFC 9110 §14.4: a 206 names the bytes it carries in Content-Range; §15.3.1: a server that
 * ignores Range (allowed, §14.2) answers 200 with the whole representation, usable here only
 * when the whole representation is what was asked for.
 */
function mismatch (status: number, headers: IncomingHttpHeaders, first: number, last: number, expected: ExpectedRepresentation): string | undefined {
  const whole = first === 0 && last === expected.totalBytes - 1
  if (status === 206) {
    const range = header(headers, 'content-range')
    const want = `bytes ${first}-${last}/${expected.totalBytes}`
    if (range !== want) return `Content-Range ${String(range)}, expected ${want}`
  } else if (status !== 200 || !whole) {
    return `status ${status} to a Range request for bytes ${first}-${last}`
  }
  const etag = header(headers, 'etag')
  if (etag !== expected.etag) return `ETag ${String(etag)}, expected ${expected.etag} (another plan, version or class)`
  const exactness = header(headers, 'x-tensor-exactness')
  if (exactness !== expected.exactness) return `exactness ${String(exactness)}, expected ${expected.exactness}`
  const profile = header(headers, 'x-tensor-profile')
  if (profile !== expected.profile) return `profile ${String(profile)}, expected ${expected.profile}`
  const length = header(headers, 'content-length')
  if (length !== String(last - first + 1)) return `Content-Length ${String(length)}, expected ${last - first + 1}`
  return undefined
}

/**
 * Fetches bytes first..last (inclusive, as in a Range header) of a raw tensor from one host and
 * yields them as they arrive, so that what was received survives a failure later in the body:
 * the caller resumes from there on another host. Throws HostFailure for anything the host got
 * wrong, and the abort reason when `signal` aborts (undici cancels the request and its socket).
 */
export async function * fetchSpan (
  host: WorkerHost,
  path: string,
  first: number,
  last: number,
  expected: ExpectedRepresentation,
  signal: AbortSignal
): AsyncGenerator<Uint8Array> {
  let response
  try {
    response = await host.pool.request({
      path,
      method: 'GET',
      headers: { range: `bytes=${first}-${last}`, accept: 'application/octet-stream' },
      signal
    })
  } catch (err) {
    signal.throwIfAborted()
    throw new HostFailure('transport', host.origin, `request failed: ${describe(err)}`, { cause: err })
  }
  const { statusCode, headers, body } = response
  if (statusCode !== 200 && statusCode !== 206) {
    // An error answer is a short problem+json: read it out, so the connection stays reusable.
    await body.dump({ limit: 64 * 1024 }).catch(() => {})
    const kind = statusCode >= 500 ? 'unavailable' : statusCode === 416 ? 'mismatch' : 'refused'
    throw new HostFailure(kind, host.origin, `answered ${statusCode} for bytes ${first}-${last}`)
  }
  const wrong = mismatch(statusCode, headers, first, last, expected)
  if (wrong !== undefined) {
    discard(body)
    throw new HostFailure('mismatch', host.origin, wrong)
  }

  const want = last - first + 1
  let received = 0
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      received += chunk.length
      if (received > want) throw new HostFailure('mismatch', host.origin, `sent more than the ${want} bytes announced`)
      yield chunk
    }
  } catch (err) {
    signal.throwIfAborted()
    if (err instanceof HostFailure) throw err
    throw new HostFailure('transport', host.origin, `body failed after ${received} of ${want} bytes: ${describe(err)}`, { cause: err })
  } finally {
    // The consumer may stop early (its own abort, or the generator being returned).
    if (!body.destroyed && received < want) discard(body)
  }
  if (received < want) throw new HostFailure('transport', host.origin, `body ended after ${received} of ${want} bytes`)
}

/**
 * Drops a body not read to its end. undici's body stream then errors with "Request aborted";
 * nobody waits for that error, so it is absorbed here rather than crash the process.
 */
function discard (body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {})
  body.destroy()
}

function describe (err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return typeof code === 'string' ? `${code} ${err.message}` : err.message
  }
  return String(err)
}
