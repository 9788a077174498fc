import type { FastifyInstance } from 'fastify'

/**
 * During app.close(), fastify stops accepting and closes the keep-alive connections that are idle
 * at that moment (forceCloseConnections: 'idle'). A connection still streaming a tensor becomes
 * idle only later, and the client would keep it open until the keep-alive timeout, holding
 * close() for up to 72 s. So once closing has begun, each response that completes ends its
 * connection (after its bytes are flushed).
 */
export function closeConnectionsAfterResponse (app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onResponse', async (request) => {
    if (closing) request.raw.socket?.end()
  })
}
