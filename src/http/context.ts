import type { Limits } from '../core/limits.ts'
import type { Engine } from '../engines/engine.ts'
import type { AdmissionBudget } from './admission.ts'
import type { ServiceMetrics } from './metrics.ts'
import type { SendWatchdog } from './send-watchdog.ts'

/** What the routes need from the app: passed as plugin options, never as globals. */
export interface ServiceContext {
  engine: Engine
  limits: Limits
  version: string
  metrics: ServiceMetrics
  /** What all open responses may hold (MAX_STREAMS, MAX_BUFFERED_BYTES). */
  admission: AdmissionBudget
  /** Cuts responses whose client stopped reading (SEND_TIMEOUT_MS). */
  sendWatchdog: SendWatchdog
}
