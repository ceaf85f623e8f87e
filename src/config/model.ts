/**
 * The one configuration model. Every subsystem reads this, never raw text.
 * Pure data: plain objects, arrays and primitives only (so it dumps as JSON
 * and two models compare structurally). Durations are seconds.
 */
import type { BfdSection } from './bfd/types.js';
import type { GatewaySection } from './gateway/types.js';
import type { GlobalDefs } from './global/types.js';
import type { LvsSection } from './lvs/types.js';
import type { VrrpSection } from './vrrp/types.js';

export interface Config {
  /** Main file the model was read from. */
  source: string;
  global: GlobalDefs;
  vrrp: VrrpSection;
  lvs: LvsSection;
  bfd: BfdSection;
  /** stayalive's gateway_track blocks (no keepalived equivalent). */
  gateway: GatewaySection;
}
