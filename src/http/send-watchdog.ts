import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Clients that stop reading are cut (SEND_TIMEOUT_MS, docs/reliability.md). Without this a
 * stalled reader keeps its connection, its admission reservation and the chunks its socket
 * pins for as long as it likes (nginx's `send_timeout` is the same rule: "if the client does not
 * receive anything within this time, the connection is closed").
 *
 * What is measured is lack of progress, not total time: a response is stalled when it has bytes
 * waiting to be written and, since the last check, the socket has neither taken any of them nor
 * been handed new ones. Progress is read from the socket's dispatched byte count
 * (`socket.bytesWritten`) and libuv's write queue (`writeQueueSize`, which shrinks as the kernel
 * takes parts of a large pending write), so a slow but moving client is never cut. A response
 * with nothing waiting (the engine still computing) is not stalled by its client.
 *
 * One unref'd interval for all watched responses (a timer per response would cost more than the
 * small requests it guards); a stalled response is cut between `timeoutMs` and 1.25 x `timeoutMs`
 * after its last progress.
 */
export class SendWatchdog {
  readonly timeoutMs: number
  readonly #onCut: () => void
  readonly #watched = new Map<ServerResponse, Progress>()
  #timer: NodeJS.Timeout | undefined

  constructor (timeoutMs: number, onCut: () => void) {
    this.timeoutMs = timeoutMs
    this.#onCut = onCut
  }

  /** Watches `res` until it closes. */
  watch (res: ServerResponse): void {
    if (this.#watched.has(res)) return
    this.#watched.set(res, { dispatched: -1, queued: -1, since: Date.now() })
    res.once('close', () => {
      this.#watched.delete(res)
      if (this.#watched.size === 0) this.#stop()
    })
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#check, Math.max(5, Math.floor(this.timeoutMs / 4)))
      this.#timer.unref()
    }
  }

  /** Responses watched now (tests). */
  get size (): number {
    return this.#watched.size
  }

  close (): void {
    this.#watched.clear()
    this.#stop()
  }

  #stop (): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  readonly #check = (): void => {
    const now = Date.now()
    for (const [res, progress] of this.#watched) {
      const socket = res.socket
      if (socket === null || socket.destroyed) continue
      const queued = writeQueueSize(socket)
      const waiting = res.writableLength + socket.writableLength + queued
      // Dispatched bytes grow with each write handed to libuv; the queue shrinks as the kernel
      // takes bytes of one pending write. Either moving is progress.
      const dispatched = socket.bytesWritten ?? 0
      if (waiting === 0 || dispatched !== progress.dispatched || queued !== progress.queued) {
        progress.dispatched = dispatched
        progress.queued = queued
        progress.since = now
        continue
      }
      if (now - progress.since >= this.timeoutMs) {
        this.#watched.delete(res)
        this.#onCut()
        // RFC 9112 §9.6: the connection is closed without a complete response; the client sees a
        // body shorter than Content-Length (or a JSON text cut short), never a complete-looking one.
        socket.destroy()
      }
    }
  }
}

interface Progress {
  dispatched: number
  queued: number
  since: number
}

/** Bytes libuv still has to write for the socket's pending writes (0 when unknown). */
function writeQueueSize (socket: Socket): number {
  const handle = (socket as Socket & { _handle?: { writeQueueSize?: unknown } | null })._handle
  const size = handle?.writeQueueSize
  return typeof size === 'number' ? size : 0
}
