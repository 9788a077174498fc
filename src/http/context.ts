import type { Limits } from '../core/limits.ts'
import type { Engine } from '../engines/engine.ts'
import type { ServiceMetrics } from './metrics.ts'

/** What the routes need from the app: passed as plugin options, never as globals. */
export interface ServiceContext {
  engine: Engine
  limits: Limits
  version: string
  metrics: ServiceMetrics
}
