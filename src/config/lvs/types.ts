/** LVS-side model. (Stub: filled in by the LVS model work.) */
export interface LvsSection {
  virtualServers: unknown[];
}
