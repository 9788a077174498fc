import { randomFillSync } from 'node:crypto'
import { buildApp } from '../src/app.ts'
import { defaultConfig } from '../src/config.ts'
import { bodyStream } from '../src/http/body-stream.ts'

/**
 * The service for the bench, on 127.0.0.1 and an ephemeral port, with the default cpu engine.
 * Logging is at 'warn' so that neither side of a ratio pays for per-request log lines.
 *
 * With `--static <bytes>` it also serves GET /bench/static: that many bytes from a buffer filled
 * once at start, handed to the same fastify stack as the tensors (bodyStream of 2 MiB views,
 * Content-Length set): the ceiling of what HTTP alone allows on this machine.
 *
 * Prints {"port": n, "pid": n} once listening.
 */

const staticAt = process.argv.indexOf('--static')
const staticBytes = staticAt === -1 ? 0 : Number(process.argv[staticAt + 1])
const config = { ...defaultConfig(), logLevel: 'warn' as const }
const app = await buildApp({ config })

if (staticBytes > 0) {
  const ready = randomFillSync(Buffer.allocUnsafe(staticBytes))
  const slice = 2 * 2 ** 20
  app.get('/bench/static', async (_request, reply) => {
    async function * chunks (): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < ready.length; at += slice) yield ready.subarray(at, at + slice)
    }
    reply.header('content-length', ready.length).type('application/octet-stream')
    return await reply.send(bodyStream(chunks()))
  })
}

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const port = typeof address === 'object' && address !== null ? address.port : 0
process.stdout.write(`${JSON.stringify({ port, pid: process.pid })}\n`)

process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), () => process.exit(1))
})
