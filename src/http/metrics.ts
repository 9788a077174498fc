import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Engine } from '../engines/engine.ts'
import type { AdmissionBudget } from './admission.ts'

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
  /** Requests refused 503 overloaded by admission (admission.ts), by the limit reached. */
  admissionRejected: Counter<'reason'>
  /** Responses cut because their socket took nothing for SEND_TIMEOUT_MS (send-watchdog.ts). */
  sendTimeouts: Counter
  /** Connections closed at once because MAX_CONNECTIONS were open (connection-limits.ts). */
  connectionsDropped: Counter
  /** Engine figures, read from the engine on each scrape. */
  engineGauges: Gauge[]
}

export function createMetrics (engine: Engine): ServiceMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const streams = {
    bytesStreamed: new Counter({ name: 'tensor_bytes_streamed_total', help: 'Body bytes of tensor representations handed to sockets.', labelNames: ['format'], registers: [registry] }),
    streamsActive: new Gauge({ name: 'tensor_streams_active', help: 'Tensor bodies being streamed now.', registers: [registry] }),
    streamsAborted: new Counter({ name: 'tensor_streams_aborted_total', help: 'Tensor bodies cut short because the client went away.', labelNames: ['format'], registers: [registry] }),
    admissionRejected: new Counter({ name: 'tensor_admission_rejected_total', help: 'Requests answered 503 overloaded because MAX_STREAMS (reason streams) or MAX_BUFFERED_BYTES (reason bytes) was reached.', labelNames: ['reason'], registers: [registry] }),
    sendTimeouts: new Counter({ name: 'tensor_send_timeouts_total', help: 'Responses cut because their socket took no bytes for SEND_TIMEOUT_MS.', registers: [registry] }),
    connectionsDropped: new Counter({ name: 'http_connections_dropped_total', help: 'Connections closed on arrival because MAX_CONNECTIONS were open.', registers: [registry] })
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

/** What the admission budget holds now, read on each scrape. */
export function installAdmissionGauges (metrics: ServiceMetrics, budget: AdmissionBudget): Gauge[] {
  const registers = [metrics.registry]
  const figures: Array<[string, string, () => number]> = [
    ['tensor_admission_reserved_bytes', 'Bytes reserved by the responses open now (their most computed-but-unsent bytes); at most MAX_BUFFERED_BYTES.', () => budget.reservedBytes],
    ['tensor_admission_streams', 'Streaming responses admitted and open now; at most MAX_STREAMS.', () => budget.streams],
    ['tensor_admission_max_bytes', 'MAX_BUFFERED_BYTES.', () => budget.maxBufferedBytes],
    ['tensor_admission_max_streams', 'MAX_STREAMS.', () => budget.maxStreams]
  ]
  // Each gauge lives in the registry, which reads it on each scrape.
  return figures.map(([name, help, read]) => new Gauge({ name, help, registers, collect () { this.set(read()) } }))
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
