import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'

export interface StreamHooks {
  /** Called with each chunk's length as it leaves for the socket. */
  onBytes?: (n: number) => void
  /** Called once when the client went away before the body was complete. */
  onAbort?: () => void
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

async function * counted (chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.length)
    yield chunk
  }
}

/**
 * A byte stream pulled by the socket (backpressure, node-stack-notes §3.2). With objectMode off and a
 * small highWaterMark, a single engine chunk already fills the buffer, so the generator runs at
 * most one chunk ahead of what the socket accepted. When the response closes early, fastify
 * destroys this stream, which returns the generator (its `finally` blocks run) and stops the work.
 */
export function bodyStream (chunks: AsyncIterable<Uint8Array>, hooks: StreamHooks = {}): Readable {
  const source = hooks.onBytes === undefined ? chunks : counted(chunks, hooks.onBytes)
  return Readable.from(source, { objectMode: false, highWaterMark: 64 * 1024 })
}
