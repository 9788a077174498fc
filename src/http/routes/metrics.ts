import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../context.ts'
import { CLIENT_ERROR } from '../schemas/responses.ts'

export const metricsRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  const { registry } = ctx.metrics
  app.get('/metrics', {
    schema: {
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description: 'Requests, durations, bytes streamed, aborted streams, engine figures, process metrics.',
      tags: ['operations'],
      response: {
        200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...CLIENT_ERROR
      }
    }
  }, async (_request, reply) => {
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
}
