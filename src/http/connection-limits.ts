import type { Server, ServerOptions } from 'node:http'

/** The connection-level limits (config.ts ConnectionConfig; docs/reliability.md). */
export interface ConnectionLimits {
  maxConnections: number
  /** 0: no limit. */
  maxRequestsPerSocket: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
}

/** The fastify options that carry the limits to Node's http.Server (fastify lib/server.js). */
export interface ConnectionServerOptions {
  requestTimeout: number
  keepAliveTimeout: number
  maxRequestsPerSocket: number
  http: ServerOptions
}

/**
 * Node checks headersTimeout and requestTimeout only every `connectionsCheckingInterval` (30 s by
 * default), so a 10 s header timeout could take 40 s. Checking four times per timeout keeps the
 * cut within 1.25 x the timeout, never more often than every 10 ms nor less than every second.
 */
function checkingInterval (limits: ConnectionLimits): number {
  return Math.max(10, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)))
}

/**
 * Options for Fastify(): the time a client has for its headers (Node's headersTimeout, answered
 * 408) and for its whole request (requestTimeout, 408), how long an idle kept-alive connection
 * stays (keepAliveTimeout), and the requests one connection may carry (maxRequestsPerSocket: the
 * last response says `Connection: close`, RFC 9112 §9.6). Node refuses a headersTimeout above
 * the requestTimeout, so it is clamped to it.
 */
export function connectionServerOptions (limits: ConnectionLimits): ConnectionServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingInterval(limits)
    }
  }
}

/**
 * What only the created server takes: the connection cap. Past `maxConnections` Node closes each
 * new connection at once ('drop'); `onDrop` counts them.
 */
export function applyConnectionLimits (server: Server, limits: ConnectionLimits, onDrop?: () => void): void {
  server.maxConnections = limits.maxConnections
  if (onDrop !== undefined) server.on('drop', onDrop)
}
