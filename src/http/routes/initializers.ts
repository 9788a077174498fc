import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { getInitializer, listInitializers } from '../../initializers/catalog.ts'
import { DEFAULT_PROFILE, PROFILE_NAMES } from '../../core/profile.ts'
import { initializerView } from '../catalog-view.ts'
import { ACCESS_ERRORS, CLIENT_ERROR, OPTIONAL_BEARER, problemResponse } from '../schemas/responses.ts'
import { FAMILIES } from '../schemas/catalog.ts'

/** The catalog (design §2): ids, families, parameter schemas, defaults, formulas, dtypes. */
export const initializerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/initializers', {
    schema: {
      operationId: 'listInitializers',
      summary: 'List the initializer catalog',
      description: 'Every initializer with its parameters (as JSON Schema), fan convention, formula, dtypes and MLX exactness per profile.',
      tags: ['catalog'],
      security: OPTIONAL_BEARER,
      querystring: Type.Object({
        family: Type.Optional(Type.Enum(FAMILIES, { description: 'Only this family.' }))
      }, { additionalProperties: false }),
      response: {
        200: Type.Ref('InitializerList'),
        ...ACCESS_ERRORS,
        ...CLIENT_ERROR
      }
    }
  }, async (request) => ({
    initializers: listInitializers(request.query.family).map(initializerView),
    profiles: [...PROFILE_NAMES],
    defaultProfile: DEFAULT_PROFILE
  }))

  app.get('/v1/initializers/:id', {
    schema: {
      operationId: 'getInitializer',
      summary: 'Describe one initializer',
      description: 'An id or alias; the answer carries the canonical id.',
      tags: ['catalog'],
      security: OPTIONAL_BEARER,
      params: Type.Object({ id: Type.String({ description: 'Initializer id or alias.', examples: ['he_normal'] }) }),
      response: {
        200: Type.Ref('Initializer'),
        404: problemResponse('No initializer has this id or alias (code unknown-initializer).'),
        ...ACCESS_ERRORS,
        ...CLIENT_ERROR
      }
    }
  }, async (request) => {
    return initializerView(getInitializer(request.params.id, '/path/id'))
  })
}
