/**
 * Gateway tracking: next hops probed with ICMP echo, routes that follow them, and the static
 * addresses/routes/rules of the config. See docs/gateways.md.
 */
export { createGatewaySubsystem } from './subsystem.js';
export { GatewayRuntime, type GatewayRuntimeOptions, type GatewayClock } from './runtime.js';
export { IcmpProber, type Prober, type ProbeResult, type ProbeTarget } from './icmp.js';
export { GATEWAY_RTPROT } from './kernel-specs.js';
export type * from './events.js';
