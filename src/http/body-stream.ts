import { Readable, type Writable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { ChunkRecycler } from '../engines/chunk-recycler.ts'

export interface StreamHooks {
  /** Called with each chunk's length as it leaves for the socket. */
  onBytes?: (n: number) => void
  /** Hand chunks back to the engine once written (EngineChunkStream). */
  recycle?: RecycleOptions
}

/**
 * An AbortSignal that fires when the client goes away before the response is complete. fastify's
 * request.signal also fires after a successful response in some configurations (fastify#7033,
 * node-stack-notes §3.7), so the service keeps its own, keyed on the response's 'close' before
 * 'finish'.
 */
export function clientGoneSignal (reply: FastifyReply, onAbort?: () => void): AbortSignal {
  const controller = new AbortController()
  const res = reply.raw
  let finished = false
  // 'finish': the whole response was handed to the socket. (writableFinished alone is not enough:
  // light-my-request's injected responses close without setting it.)
  res.once('finish', () => { finished = true })
  res.once('close', () => {
    if (!finished && !res.writableFinished) {
      controller.abort(new Error('client closed the connection'))
      onAbort?.()
    }
  })
  return controller.signal
}

/**
 * A byte stream of engine chunks pulled by the socket (backpressure, node-stack-notes §3.2): a
 * chunk is asked of the producer only when this stream's buffer (highWaterMark 64 KiB, less than
 * one engine chunk) has room, and piping pauses it while the socket is full. When the response
 * closes early, fastify destroys this stream, which returns the producer's generator (its
 * `finally` blocks run: queued chunks are cancelled) and stops the work.
 *
 * With `recycle`, chunks go back to the engine once their bytes are on the wire. A chunk pushed
 * here is read by the pipe and written to the response at once; Node keeps the memory of a write
 * until the kernel has taken all of it (libuv's write request points into the chunk). So a
 * chunk is released only when the response has nothing left to write (ServerResponse
 * writableLength: its own buffer plus the socket's, the unfinished write included) and it has
 * left this stream's own buffer. That is checked before each new chunk is pulled and on 'drain'.
 * Reading order or chunk sizes do not matter to this rule, which is why it is safe for tiny
 * chunks and range-trimmed ones too.
 */
class EngineChunkStream extends Readable {
  readonly #chunks: AsyncIterator<Uint8Array>
  readonly #onBytes: ((n: number) => void) | undefined
  readonly #recycle: RecycleOptions | undefined
  /** Chunks pushed and not released yet, oldest first. */
  readonly #held: Uint8Array[] = []

  constructor (chunks: AsyncIterable<Uint8Array>, hooks: StreamHooks) {
    super({ highWaterMark: 64 * 1024 })
    this.#chunks = chunks[Symbol.asyncIterator]()
    this.#onBytes = hooks.onBytes
    this.#recycle = hooks.recycle
    this.#recycle?.response.on('drain', this.#releaseWritten)
    // Once the response closed, no write of its is in flight: its chunks are freed at once
    // (chunk-recycler.ts close) instead of at the next full garbage collection.
    this.#recycle?.response.once('close', () => { this.#recycle?.recycler.close() })
  }

  override _read (): void {
    this.#releaseWritten()
    this.#chunks.next().then(({ done, value }) => {
      if (this.destroyed) {
        // Nobody will read it: back to the recycler, which frees it once closed.
        if (done !== true) this.#recycle?.recycler.release(value)
        return
      }
      if (done === true) {
        this.push(null)
        return
      }
      this.#onBytes?.(value.length)
      if (this.#recycle !== undefined) this.#held.push(value)
      this.push(value)
    }, (err: unknown) => this.destroy(err as Error))
  }

  override _destroy (err: Error | null, callback: (error?: Error | null) => void): void {
    this.#recycle?.response.off('drain', this.#releaseWritten)
    this.#held.length = 0
    const close = this.#chunks.return
    if (close === undefined) {
      callback(err)
      return
    }
    close.call(this.#chunks).then(() => callback(err), (closeErr: unknown) => callback(err ?? closeErr as Error))
  }

  readonly #releaseWritten = (): void => {
    const recycle = this.#recycle
    if (recycle === undefined || this.#held.length === 0) return
    // Anything still queued in the response or the socket may point into any earlier chunk.
    if (recycle.response.writableLength !== 0) return
    // The newest chunks may still sit in this stream's own buffer, not written yet.
    let unread = this.readableLength
    let written = this.#held.length
    while (written > 0 && unread > 0) unread -= this.#held[--written]!.length
    for (const chunk of this.#held.splice(0, written)) recycle.recycler.release(chunk)
  }
}

export interface RecycleOptions {
  /** The response the stream is piped to; its writableLength says when writes completed. */
  response: Writable
  recycler: ChunkRecycler
}

export function bodyStream (chunks: AsyncIterable<Uint8Array>, hooks: StreamHooks = {}): Readable {
  return new EngineChunkStream(chunks, hooks)
}
