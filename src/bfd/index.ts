/**
 * Public face of BFD (RFC 5880/5881 single hop, asynchronous mode): the packet codec, the
 * pure session reducer, the shared session registry and the daemon subsystem.
 */
export * from './packet.js';
export {
  createSession,
  detectionTime,
  sessionConfig,
  step,
  txInterval,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
  type SessionStep,
} from './machine.js';
export type { BfdStateEvent } from './events.js';
export {
  BfdSessions,
  type BfdListener,
  type BfdParams,
  type BfdSessionStatus,
  type BfdWatchEvent,
  type RegistryOptions,
} from './sessions.js';
export { UdpTransport, type BfdDatagram, type BfdSender, type BfdTransport } from './runtime.js';
export { createBfdSubsystem, instanceParams, type BfdSubsystem } from './subsystem.js';
