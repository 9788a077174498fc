import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { TensorInitError } from '../../core/errors.ts'
import type { ServiceContext } from '../context.ts'
import { CLIENT_ERROR, problemResponse } from '../schemas/responses.ts'

/**
 * Probes: /healthz says the process serves requests (liveness: restart when it stops answering);
 * /readyz says the engine can take work (readiness: route traffic elsewhere while it cannot).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<ServiceContext> = async (app, ctx) => {
  app.get('/healthz', {
    schema: {
      operationId: 'health',
      summary: 'Liveness probe',
      tags: ['operations'],
      response: { 200: Type.Ref('Health'), ...CLIENT_ERROR }
    }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      operationId: 'ready',
      summary: 'Readiness probe, with the engine\'s description',
      tags: ['operations'],
      response: {
        200: Type.Ref('Readiness'),
        503: problemResponse('The engine cannot take work (code engine-unavailable).'),
        ...CLIENT_ERROR
      }
    }
  }, async (request) => {
    const info = ctx.engine.info
    // With API keys configured, a caller without one learns only whether the service is ready:
    // no version, engine description, host addresses or error strings (http/access.ts).
    const details = request.accessGranted !== false
    if (info.concurrency < 1) {
      throw new TensorInitError('engine-unavailable', details ? `The ${info.name} engine has no capacity.` : 'The engine cannot take work.')
    }
    return details ? { status: 'ready' as const, version: ctx.version, engine: info } : { status: 'ready' as const }
  })
}
