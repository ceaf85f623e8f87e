/** Health checkers for real servers: the public face of src/check/. */
export type { CheckResultEvent, RsStateEvent } from './events.js';
export { createCheckerSubsystem } from './subsystem.js';
export {
  CheckerRuntime,
  realClock,
  type CheckerStatus,
  type Clock,
  type RuntimeOptions,
} from './runtime.js';
export { planChecks, type CheckerPlan, type Plan, type RsPlan } from './plan.js';
export { formatCheckStatus } from './format.js';
export type { FifoSink } from './fifo.js';
export type { LocalAddresses } from './address-watch.js';
