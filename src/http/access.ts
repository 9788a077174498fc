import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import bearerAuth from '@fastify/bearer-auth'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { TensorInitError } from '../core/errors.ts'

/**
 * Admission per client: optional API keys (@fastify/bearer-auth), per-client rate limits
 * (@fastify/rate-limit) and CORS for browsers (@fastify/cors). Registered before the routes, so
 * that the rate limit's per-route hooks reach every route.
 */

/** Who may call, and how often (config.ts AccessConfig, as http sees it). */
export interface AccessOptions {
  apiKeysFile?: string
  rateLimitMax: number
  rateLimitWindowMs: number
  corsOrigins: readonly string[]
}

/** The probes answer without a key and are never rate limited: orchestrators must always reach them. */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz'])

/** RFC 6750 §3: the challenge a 401 carries; the realm names the protection space. */
const CHALLENGE = 'Bearer realm="tensor-init"'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * False when API keys are configured and this request presented none that is valid (only an
     * open route gets that far without one); /readyz then shows no internal details.
     */
    accessGranted: boolean
  }
}

/** A bad API_KEYS_FILE: a start-up error naming the line, never a request error. */
export class ApiKeysFileError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ApiKeysFileError'
  }
}

const DIGEST_LINE = /^[0-9a-fA-F]{64}$/

/**
 * API_KEYS_FILE: one SHA-256 hex digest of a key per line; blank lines and `#` comments are
 * ignored. The file holds digests, not keys, so reading it (or a leaked copy) gives no key.
 */
export function loadApiKeyDigests (file: string): Buffer[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ApiKeysFileError(`API_KEYS_FILE=${file}: cannot be read (${(err as Error).message}).`)
  }
  const digests: Buffer[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') continue
    if (!DIGEST_LINE.test(line)) {
      throw new ApiKeysFileError(`API_KEYS_FILE=${file} line ${i + 1}: expected the SHA-256 hex digest of a key (64 hex digits).`)
    }
    digests.push(Buffer.from(line, 'hex'))
  }
  if (digests.length === 0) throw new ApiKeysFileError(`API_KEYS_FILE=${file}: holds no key digest.`)
  return digests
}

/**
 * The digest of `key` if it is one of `digests`. Every stored digest is compared, each with
 * timingSafeEqual on equal-length buffers, so the time taken says nothing about which bytes or
 * which entry matched.
 */
function matchKey (digests: readonly Buffer[], key: string): string | undefined {
  const presented = createHash('sha256').update(key, 'utf8').digest()
  let found = false
  for (const digest of digests) found = timingSafeEqual(presented, digest) || found
  return found ? presented.toString('hex') : undefined
}

/** Headers a browser client reads from a tensor response (the Fetch standard hides the others). */
const EXPOSED_HEADERS = [
  'ETag', 'Content-Length', 'Content-Range', 'Accept-Ranges', 'Content-Disposition', 'X-Request-Id', 'Retry-After',
  'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset',
  'X-Tensor-Initializer', 'X-Tensor-Shape', 'X-Tensor-Dtype', 'X-Tensor-Seed', 'X-Tensor-Draw', 'X-Tensor-Key',
  'X-Tensor-Keys-Used', 'X-Tensor-Params', 'X-Tensor-Profile', 'X-Tensor-Engine', 'X-Tensor-Exactness', 'X-Tensor-Mlx-Exact'
]

/** Request headers a browser may send beyond the CORS-safelisted ones. */
const ALLOWED_HEADERS = ['Content-Type', 'Range', 'If-None-Match', 'If-Match', 'If-Range', 'Authorization', 'X-Request-Id']

export async function installAccess (app: FastifyInstance, options: AccessOptions): Promise<void> {
  const digests = options.apiKeysFile === undefined ? undefined : loadApiKeyDigests(options.apiKeysFile)

  if (options.corsOrigins.length > 0) {
    // Registered first: a preflight (OPTIONS with Access-Control-Request-Method) is answered by
    // its onRequest hook before authentication, since browsers never send credentials on one
    // (Fetch standard, CORS-preflight request). No credentials mode: keys travel in Authorization.
    await app.register(cors, {
      origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
      // Not strict: an OPTIONS without Origin or Access-Control-Request-Method would otherwise be
      // answered 400 text/plain by the plugin, outside problem+json; it gets the 204 instead.
      strictPreflight: false
    })
  }

  // The digest of the valid key a request presented: the rate limit's client identity.
  const clientKey = new WeakMap<FastifyRequest, string>()
  app.decorateRequest('accessGranted', true)

  if (digests !== undefined) {
    // Requests that presented a Bearer key that is not valid (RFC 6750 §3.1 invalid_token), as
    // opposed to none at all (then the challenge carries no error code).
    const wrongKey = new WeakSet<FastifyRequest>()
    await app.register(bearerAuth, {
      keys: [],
      addHook: false,
      verifyErrorLogLevel: 'debug',
      auth: (key: string, request: FastifyRequest) => {
        const digest = matchKey(digests, key)
        if (digest === undefined) {
          wrongKey.add(request)
          return false
        }
        clientKey.set(request, digest)
        return true
      }
    })
    app.addHook('onRequest', (request, reply, done) => {
      if (isPreflight(request)) { done(); return }
      const open = OPEN_ROUTES.has(request.routeOptions.url ?? '')
      app.verifyBearerAuth?.(request, reply, (err?: Error) => {
        if (err === undefined) { done(); return }
        if (open) {
          request.accessGranted = false
          reply.code(200)
          done()
          return
        }
        const presented = wrongKey.has(request)
        reply.header('www-authenticate', presented ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE)
        done(new TensorInitError('unauthorized', presented
          ? 'The API key is not valid for this service.'
          : 'This service needs an API key: send Authorization: Bearer <key>.'))
      })
    })
  }

  if (options.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: options.rateLimitMax,
      timeWindow: options.rateLimitWindowMs,
      // A client is its API key (the digest, never the key) when keys are in use, else its address
      // (request.ip: X-Forwarded-For only with TRUST_PROXY, fastify's trustProxy).
      keyGenerator: (request) => {
        const key = clientKey.get(request)
        return key === undefined ? `ip:${request.ip}` : `key:${key}`
      },
      allowList: (request) => OPEN_ROUTES.has(request.routeOptions.url ?? ''),
      // RateLimit-Limit, -Remaining, -Reset (draft-ietf-httpapi-ratelimit-headers) and Retry-After
      // (RFC 9110 §10.2.3) instead of the X-RateLimit-* names.
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) => new TensorInitError('rate-limited',
        `More than ${context.max} requests in ${context.after}; retry after ${Math.max(1, Math.ceil(context.ttl / 1000))} s.`)
    })
  }
}

function isPreflight (request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined &&
    request.headers['access-control-request-method'] !== undefined
}
