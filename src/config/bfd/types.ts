/** BFD model. (Stub: filled in by the LVS/BFD model work.) */
export interface BfdSection {
  instances: Record<string, unknown>;
}
