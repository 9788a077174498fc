import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import type { Plan } from '../../core/plan.ts'
import type { ElementRange } from '../../core/element-range.ts'
import type { ExpectedRepresentation } from './expected-tag.ts'
import { fetchSpan } from './fetch-span.ts'
import { HostFailure } from './host-failure.ts'
import type { HostPool } from './host-pool.ts'
import { PartBuffer } from './part-buffer.ts'
import type { WorkerHost } from './worker-host.ts'

export interface RangeStreamOptions {
  partBytes: number
  windowParts: number
  maxAttemptsPerPart: number
  /** Chunks handed to the consumer are gathered to at least this many bytes (or the part's rest). */
  yieldBytes: number
}

export interface RangeStreamStats {
  partsFetched: number
  partRetries: number
  /** Parts moved to another host because theirs was ejected while they were in flight. */
  partsReissued: number
  bytesFetched: number
}

export interface RangeStreamRequest {
  plan: Plan
  path: string
  label: string
  expected: ExpectedRepresentation
  range: ElementRange
  signal?: AbortSignal | undefined
}

/**
 * Streams an element range of a plan, in order, from the worker hosts.
 *
 * The range's bytes are cut into parts of partBytes (whole elements). Up to windowParts parts are
 * in flight at once, each fetched with a Range request from whichever host has a free slot; the
 * first part is handed on as it arrives, the others wait complete in memory. A new part starts
 * only when the first one has been consumed, so the consumer's pace (the client's socket) limits
 * the fetching: memory stays under windowParts x partBytes per response.
 *
 * A part whose host fails is resumed on another host from the first byte not yet received; so is
 * a part whose host is ejected while it is in flight (WorkerHost.eject aborts the request). When
 * no host can serve a part (none ready, all refused it, or maxAttemptsPerPart used up) the stream
 * throws: the HTTP layer then cuts the connection, so a client never takes a short body for a
 * complete one. Aborting `signal`, or the consumer stopping early, aborts every request in flight.
 */
export async function * streamRange (pool: HostPool, request: RangeStreamRequest, options: RangeStreamOptions, stats: RangeStreamStats): AsyncGenerator<Uint8Array> {
  const { plan, range } = request
  const item = itemSize(plan.dtype)
  const perPart = Math.max(1, Math.floor(options.partBytes / item))
  const controller = new AbortController()
  const onAbort = (): void => { controller.abort(request.signal?.reason) }
  request.signal?.addEventListener('abort', onAbort, { once: true })
  if (request.signal?.aborted === true) onAbort()
  const signal = controller.signal
  /** Hosts that refused this response or answered with another representation. */
  const exclude = new Set<WorkerHost>()

  const fetchPart = async (part: PartBuffer): Promise<void> => {
    let attempts = 0
    let lastFailure: HostFailure | undefined
    while (part.received < part.length) {
      if (attempts >= options.maxAttemptsPerPart) {
        throw new TensorInitError('engine-unavailable',
          `Bytes ${part.first}-${part.last} failed on ${attempts} attempts; last: ${lastFailure?.message ?? 'none'}.`)
      }
      let host: WorkerHost
      try {
        host = await pool.acquire({ plan, label: request.label, exclude, signal })
      } catch (err) {
        if (lastFailure !== undefined && err instanceof TensorInitError) {
          throw new TensorInitError(err.code, `${err.message} Last failure: ${lastFailure.message}`)
        }
        throw err
      }
      attempts++
      const from = part.first + part.received
      // This attempt ends when the response ends (signal) or when the host is ejected.
      const attempt = new AbortController()
      const ejected = host.ejectionSignal
      const onEnd = (): void => { attempt.abort(signal.reason) }
      const onEject = (): void => { attempt.abort(ejected.reason) }
      signal.addEventListener('abort', onEnd, { once: true })
      ejected.addEventListener('abort', onEject, { once: true })
      try {
        for await (const chunk of fetchSpan(host, request.path, from, part.last, request.expected, attempt.signal)) {
          part.push(chunk)
          host.bytesServed += chunk.length
          stats.bytesFetched += chunk.length
        }
        host.served()
      } catch (err) {
        if (!(err instanceof HostFailure) || signal.aborted) throw err
        lastFailure = err
        // Counted apart: a re-issue follows a failure already counted (a poll that timed out, or
        // another request to the host that failed), not a failure of this request.
        if (err.kind === 'ejected') {
          stats.partsReissued++
          continue
        }
        stats.partRetries++
        if (err.ejects) pool.failed(host, err.message)
        else exclude.add(host)
      } finally {
        signal.removeEventListener('abort', onEnd)
        ejected.removeEventListener('abort', onEject)
        pool.release(host)
      }
    }
    stats.partsFetched++
  }

  const inFlight: PartBuffer[] = []
  /** First element of the next part to launch (parts are cut as they are launched). */
  let next = range.start
  const launch = (): void => {
    while (inFlight.length < options.windowParts && next < range.end) {
      const end = Math.min(range.end, next + perPart)
      const part = new PartBuffer(next * item, end * item - 1)
      next = end
      inFlight.push(part)
      fetchPart(part).then(() => { part.finish() }, (err: unknown) => {
        part.fail(err)
        // The response cannot complete without this part: stop fetching the others.
        if (!signal.aborted) controller.abort(err)
      })
    }
  }

  try {
    launch()
    while (inFlight.length > 0) {
      const part = inFlight[0] as PartBuffer
      yield * part.drain(Math.min(options.yieldBytes, part.length))
      inFlight.shift()
      launch()
    }
  } finally {
    // Normal end: nothing is in flight. Early end (consumer gone, error): cancel the rest.
    request.signal?.removeEventListener('abort', onAbort)
    if (!signal.aborted) controller.abort(new Error('range stream closed'))
  }
}
