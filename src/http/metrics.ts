import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Engine } from '../engines/engine.ts'

/**
 * Prometheus metrics, in a registry of the app's own (several apps in one process, as in the tests,
 * must not share counters). Request metrics are labelled by route pattern, never by raw URL, to keep
 * cardinality bounded.
 */
export interface ServiceMetrics {
  registry: Registry
  bytesStreamed: Counter<'format'>
  streamsActive: Gauge
  streamsAborted: Counter<'format'>
  /** Engine figures, read from the engine on each scrape. */
  engineGauges: Gauge[]
}

export function createMetrics (engine: Engine): ServiceMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const streams = {
    bytesStreamed: new Counter({ name: 'tensor_bytes_streamed_total', help: 'Body bytes of tensor representations handed to sockets.', labelNames: ['format'], registers: [registry] }),
    streamsActive: new Gauge({ name: 'tensor_streams_active', help: 'Tensor bodies being streamed now.', registers: [registry] }),
    streamsAborted: new Counter({ name: 'tensor_streams_aborted_total', help: 'Tensor bodies cut short because the client went away.', labelNames: ['format'], registers: [registry] })
  }
  const engineGauges = [new Gauge({
    name: 'engine_info',
    help: 'The engine computing tensors (value 1), with its name, device and version.',
    labelNames: ['name', 'device', 'version'],
    registers: [registry],
    collect () {
      this.set({ name: engine.info.name, device: engine.info.device, version: engine.info.version }, 1)
    }
  }), new Gauge({
    name: 'engine_concurrency',
    help: 'Worker threads, GPU streams or hosts of the engine.',
    registers: [registry],
    collect () { this.set(engine.info.concurrency) }
  }), new Gauge({
    // Engine.load is optional: an engine without a queue of its own (remote) reports no figure.
    name: 'engine_queued_chunks',
    help: 'Chunks waiting for a worker, across all streams (engines that queue work).',
    registers: [registry],
    collect () {
      const load = engine.load
      if (load !== undefined) this.set(load.queued)
    }
  }), new Gauge({
    // Other figures are whatever numeric details the engine publishes (e.g. threads, window).
    name: 'engine_detail',
    help: 'Numeric details the engine reports about itself (queue size, utilization, ...), by key.',
    labelNames: ['key'],
    registers: [registry],
    collect () {
      this.reset()
      for (const [key, value] of Object.entries(engine.info.details ?? {})) {
        if (typeof value === 'number' && Number.isFinite(value)) this.set({ key }, value)
      }
    }
  })]
  return { registry, ...streams, engineGauges }
}

/** Counts and times every request once its response is complete (or the client left). */
export function installRequestMetrics (app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry]
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to the end of the response, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300],
    registers: [registry]
  })
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode)
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })
}
