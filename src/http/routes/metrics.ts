import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../context.ts'
import { ACCESS_ERRORS, CLIENT_ERROR, OPTIONAL_BEARER } from '../schemas/responses.ts'

export const metricsRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  const { registry } = ctx.metrics
  app.get('/metrics', {
    schema: {
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description: 'Requests, durations, bytes streamed, aborted streams, engine figures, process metrics.',
      tags: ['operations'],
      security: OPTIONAL_BEARER,
      response: {
        200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...ACCESS_ERRORS,
        ...CLIENT_ERROR
      }
    }
  }, async (_request, reply) => {
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
}
