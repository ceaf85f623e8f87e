/** VRRP-side model. (Stub: filled in by the VRRP model work.) */
export interface VrrpSection {
  instances: Record<string, unknown>;
}
