import { TensorInitError } from '../core/errors.ts'
import type { EngineInfo } from '../engines/engine-info.ts'

/**
 * Admission by what is held (docs/reliability.md): the engine's queue bounds the work waiting,
 * but not the memory a response keeps while its client reads slowly or not at all (the chunks in
 * the engine's window, the one the socket is writing, a JSON text). So each response reserves,
 * before any header is sent, the most it can hold, and gives it back when it closes (finished or
 * aborted). Past MAX_STREAMS streaming responses or MAX_BUFFERED_BYTES reserved, the request is
 * refused with 503 `overloaded`, which the error handler sends with Retry-After (RFC 9110
 * §10.2.3, §15.6.4): nothing has been computed for it and a retry may well succeed.
 */

export type RejectReason = 'streams' | 'bytes'

export interface AdmissionOptions {
  maxStreams: number
  maxBufferedBytes: number
  /** Told of every refusal (the metrics). */
  onReject?: (reason: RejectReason) => void
}

/** One admitted response's share; `release` is idempotent. */
export interface Reservation {
  readonly bytes: number
  readonly streaming: boolean
  release: () => void
}

export class AdmissionBudget {
  readonly maxStreams: number
  readonly maxBufferedBytes: number
  readonly #onReject: ((reason: RejectReason) => void) | undefined
  #streams = 0
  #bytes = 0

  constructor (options: AdmissionOptions) {
    this.maxStreams = options.maxStreams
    this.maxBufferedBytes = options.maxBufferedBytes
    this.#onReject = options.onReject
  }

  /** Streaming responses admitted and not closed yet. */
  get streams (): number {
    return this.#streams
  }

  /** Bytes reserved by the responses open now. */
  get reservedBytes (): number {
    return this.#bytes
  }

  /**
   * Reserves `bytes` (and a stream slot when `streaming`), or throws 503 'overloaded'. A single
   * response larger than the whole budget is still admitted when nothing else is reserved, so a
   * budget below one response's bound degrades to one at a time rather than to none.
   */
  admit (bytes: number, streaming: boolean): Reservation {
    if (streaming && this.#streams >= this.maxStreams) {
      this.#reject('streams', `${this.#streams} responses are streaming (MAX_STREAMS ${this.maxStreams}); retry shortly.`)
    }
    if (this.#bytes > 0 && this.#bytes + bytes > this.maxBufferedBytes) {
      this.#reject('bytes', `The responses in progress hold up to ${this.#bytes} bytes (MAX_BUFFERED_BYTES ${this.maxBufferedBytes}); retry shortly.`)
    }
    this.#bytes += bytes
    if (streaming) this.#streams++
    let released = false
    return {
      bytes,
      streaming,
      release: () => {
        if (released) return
        released = true
        this.#bytes -= bytes
        if (streaming) this.#streams--
      }
    }
  }

  #reject (reason: RejectReason, detail: string): never {
    this.#onReject?.(reason)
    throw new TensorInitError('overloaded', detail)
  }
}

/**
 * Bytes a socket may pin beyond the engine's window: the body stream's own buffer (64 KiB,
 * body-stream.ts) and the response's header and framing, rounded up generously.
 */
const SOCKET_SLACK_BYTES = 256 * 1024

const MiB = 2 ** 20

function numberDetail (info: EngineInfo, key: string): number | undefined {
  const value = info.details?.[key]
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

/**
 * The most one streamed body holds at once with `engine`, from the figures it publishes: the
 * chunks of its window (computing or computed), the chunk the socket is writing and the next one
 * already pulled into the body stream (body-stream.ts: a chunk is released only once written),
 * plus the socket slack. cpu publishes `window` and `chunkBytes`; mlx `chunkBytes` with a window
 * of its workers + 1 (mlx-engine.ts); remote `partBytes` with a window of hosts x connections
 * per host clamped to 2..16 (remote-engine.ts), unless it publishes `windowParts`.
 */
export function streamHoldBound (info: EngineInfo): number {
  const chunk = numberDetail(info, 'chunkBytes') ?? numberDetail(info, 'partBytes') ?? 4 * MiB
  let window = numberDetail(info, 'window') ?? numberDetail(info, 'windowParts')
  if (window === undefined) {
    const hosts = numberDetail(info, 'hosts')
    const perHost = numberDetail(info, 'connectionsPerHost')
    window = hosts !== undefined && perHost !== undefined
      ? Math.min(16, Math.max(2, hosts * perHost))
      : info.concurrency + 1
  }
  return (window + 2) * chunk + SOCKET_SLACK_BYTES
}
