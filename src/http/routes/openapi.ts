import type { FastifyPluginAsync } from 'fastify'

/** The OpenAPI document at a stable, conventional URL (swagger-ui also serves it at /docs/json). */
export const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
