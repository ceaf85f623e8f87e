/**
 * From tracker states to what one instance's machine needs: the effective priority and the
 * named fault reasons (keepalived.md §4 "Priority maths" and "FAULT"). Pure.
 *
 * Sync-group trackers apply to every member; their weights (and the members' own, unless
 * sync_group_tracking_weight) are forced to 0, so a failure means FAULT, as in keepalived.
 * track_bfd follows the named bfd_instance (Up counts as up; keepalived starts it down);
 * track_gateway (stayalive extension) follows a gateway_track, with the gateway's own weight
 * unless the reference names one.
 */
import type { Tracking, TrackRef } from '../config/vrrp/types.js';
import type { TrackGatewayRef } from '../config/gateway/track.js';
import { effectivePriority, fileContribution, trackerFaults } from './priority.js';

export interface TrackView {
  linkUp(name: string): boolean;
  scriptOk(name: string): boolean | undefined;
  fileValue(name: string): number | undefined;
  /** Optional so views without process trackers (tests) need not provide it. */
  processUp?(name: string): boolean | undefined;
  /** Whether the bfd_instance's session is Up (optional, as processUp). */
  bfdUp?(name: string): boolean;
  /** A gateway_track's state and weight; undefined while it is not tracked. */
  gateway?(name: string): { up: boolean; weight: number } | undefined;
  /** Whether a local interface carries the address (track_src_ip). */
  addressPresent?(ip: string): boolean;
}

export interface TrackInputs {
  basePriority: number;
  /** The instance's own interface, unless dont_track_primary. */
  ownInterface: string | null;
  own: Tracking;
  group: Tracking | null;
  /** In a sync group without sync_group_tracking_weight: every weight counts as 0. */
  zeroWeights: boolean;
  /** track_src_ip: the configured source address, which must exist (else FAULT). */
  srcIp?: string | null;
}

export interface TrackResult {
  priority: number;
  faults: string[];
}

export function evaluateTracking(t: TrackInputs, view: TrackView): TrackResult {
  const faults: string[] = [];
  if (t.ownInterface && !view.linkUp(t.ownInterface)) {
    faults.push(`interface ${t.ownInterface} down`);
  }
  if (t.srcIp && view.addressPresent && !view.addressPresent(t.srcIp)) {
    faults.push(`source address ${t.srcIp} missing`);
  }
  const states: { weight: number; reverse: boolean; ok: boolean }[] = [];
  const files: { weight: number; value: number }[] = [];
  const add = (
    refs: TrackRef[],
    zero: boolean,
    kind: 'interface' | 'script' | 'process' | 'bfd',
  ): void => {
    for (const r of refs) {
      const ok =
        kind === 'interface'
          ? view.linkUp(r.name)
          : kind === 'script'
            ? view.scriptOk(r.name)
            : kind === 'bfd'
              ? (view.bfdUp?.(r.name) ?? false)
              : view.processUp?.(r.name);
      if (ok === undefined) continue; // a script not (yet) running does not count
      const s = { weight: zero ? 0 : r.weight, reverse: r.reverse, ok };
      if (trackerFaults(s)) {
        faults.push(
          kind === 'interface'
            ? `track_interface ${r.name} down`
            : kind === 'script'
              ? `track_script ${r.name} failed`
              : kind === 'bfd'
                ? `track_bfd ${r.name} ${r.reverse ? 'up' : 'down'}`
                : `track_process ${r.name} quorum lost`,
        );
      }
      states.push(s);
    }
  };
  const addFiles = (refs: TrackRef[], zero: boolean): void => {
    for (const r of refs) {
      const v = view.fileValue(r.name);
      if (v === undefined) continue;
      // keepalived's reverse on a file negates the value's effect.
      const f = { weight: zero ? 0 : r.reverse ? -r.weight : r.weight, value: v };
      if (fileContribution(f).fault) faults.push(`track_file ${r.name} value ${v}`);
      files.push(f);
    }
  };
  const addGateways = (refs: TrackGatewayRef[], zero: boolean): void => {
    for (const r of refs) {
      const g = view.gateway?.(r.name);
      if (g === undefined) continue; // not tracked (yet): does not count
      const s = { weight: zero ? 0 : (r.weight ?? g.weight), reverse: false, ok: g.up };
      if (trackerFaults(s)) faults.push(`track_gateway ${r.name} down`);
      states.push(s);
    }
  };
  add(t.own.interfaces, t.zeroWeights, 'interface');
  add(t.own.scripts, t.zeroWeights, 'script');
  add(t.own.processes, t.zeroWeights, 'process');
  addFiles(t.own.files, t.zeroWeights);
  add(t.own.bfds, t.zeroWeights, 'bfd');
  addGateways(t.own.gateways, t.zeroWeights);
  if (t.group) {
    add(t.group.interfaces, true, 'interface');
    add(t.group.scripts, true, 'script');
    add(t.group.processes, true, 'process');
    addFiles(t.group.files, true);
    add(t.group.bfds, true, 'bfd');
    addGateways(t.group.gateways, true);
  }
  const eff = effectivePriority(t.basePriority, states, files);
  return { priority: eff.priority, faults };
}
