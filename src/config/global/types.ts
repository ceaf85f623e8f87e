/** global_defs and root-level keywords. (Stub: filled in by the global/VRRP model work.) */
export interface GlobalDefs {
  routerId: string;
}
