import type { SwaggerOptions } from '@fastify/swagger'
import { BEARER_SCHEME } from './schemas/responses.ts'

/**
 * @fastify/swagger options: OpenAPI 3.1.0 (the plugin defaults to 3.0.3) and a refResolver that
 * keeps each shared schema's `$id` as its components.schemas name instead of `def-N`
 * (node-stack-notes §2.2).
 */
export function openapiOptions (version: string, publicUrl: string | undefined): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tensor-init',
        version,
        summary: 'Initialized neural-network weight tensors, streamed; bit-exact with MLX for the MLX family.',
        description: [
          'A client names an initializer, a shape, a dtype, a gain and a seed; the service streams the tensor back as raw',
          'little-endian bytes, NPY, safetensors or JSON. The same request always yields the same bytes.',
          '',
          'Binary representations (`GET /v1/tensors/{id}`, `POST /v1/tensors`) and the JSON representation',
          '(`GET /v1/tensors/{id}/json`, `POST /v1/tensors/json`) are separate operations, so generated SDKs type the',
          'first as a Blob and the second as an object. Errors are RFC 9457 problem details with a stable `code`.'
        ].join('\n'),
        license: { name: 'MIT', identifier: 'MIT' }
      },
      servers: [publicUrl === undefined
        ? { url: '/', description: 'The server this document was fetched from.' }
        : { url: publicUrl, description: 'This deployment.' }],
      tags: [
        { name: 'tensors', description: 'Initialized tensors in binary formats and JSON.' },
        { name: 'catalog', description: 'The initializers, their parameters and guarantees.' },
        { name: 'operations', description: 'Probes and metrics.' },
        { name: 'meta', description: 'Documentation of problem types.' }
      ],
      // No authentication by default (declared so linters and generators need not guess); the
      // operations that take a key when the deployment has API_KEYS_FILE say so themselves.
      security: [],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: 'Only when the server has API_KEYS_FILE: `Authorization: Bearer <key>` on every operation but /healthz and /readyz (a missing or wrong key answers 401 unauthorized). A server without API_KEYS_FILE needs no key.'
          }
        }
      }
    },
    // @fastify/swagger suffixes the operationId of a documented HEAD route with "-head"; the
    // explicit HEAD routes already have ids of their own (headTensor), so the suffix goes.
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject
      const { openapiObject } = document
      for (const path of Object.values(openapiObject.paths ?? {})) {
        const head = (path as { head?: { operationId?: string } } | undefined)?.head
        if (head?.operationId?.endsWith('-head') === true) head.operationId = head.operationId.slice(0, -'-head'.length)
      }
      return openapiObject
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  }
}
