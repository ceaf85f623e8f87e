/**
 * From tracker states to what one instance's machine needs: the effective priority and the
 * named fault reasons (keepalived.md §4 "Priority maths" and "FAULT"). Pure.
 *
 * Sync-group trackers apply to every member; their weights (and the members' own, unless
 * sync_group_tracking_weight) are forced to 0, so a failure means FAULT, as in keepalived.
 * track_bfd is not supported yet and is ignored (the runtime logs it).
 */
import type { Tracking, TrackRef } from '../config/vrrp/types.js';
import { effectivePriority, fileContribution, trackerFaults } from './priority.js';

export interface TrackView {
  linkUp(name: string): boolean;
  scriptOk(name: string): boolean | undefined;
  fileValue(name: string): number | undefined;
  /** Optional so views without process trackers (tests) need not provide it. */
  processUp?(name: string): boolean | undefined;
}

export interface TrackInputs {
  basePriority: number;
  /** The instance's own interface, unless dont_track_primary. */
  ownInterface: string | null;
  own: Tracking;
  group: Tracking | null;
  /** In a sync group without sync_group_tracking_weight: every weight counts as 0. */
  zeroWeights: boolean;
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
  const states: { weight: number; reverse: boolean; ok: boolean }[] = [];
  const files: { weight: number; value: number }[] = [];
  const add = (refs: TrackRef[], zero: boolean, kind: 'interface' | 'script' | 'process'): void => {
    for (const r of refs) {
      const ok =
        kind === 'interface'
          ? view.linkUp(r.name)
          : kind === 'script'
            ? view.scriptOk(r.name)
            : view.processUp?.(r.name);
      if (ok === undefined) continue; // a script not (yet) running does not count
      const s = { weight: zero ? 0 : r.weight, reverse: r.reverse, ok };
      if (trackerFaults(s)) {
        faults.push(
          kind === 'interface'
            ? `track_interface ${r.name} down`
            : kind === 'script'
              ? `track_script ${r.name} failed`
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
  add(t.own.interfaces, t.zeroWeights, 'interface');
  add(t.own.scripts, t.zeroWeights, 'script');
  add(t.own.processes, t.zeroWeights, 'process');
  addFiles(t.own.files, t.zeroWeights);
  if (t.group) {
    add(t.group.interfaces, true, 'interface');
    add(t.group.scripts, true, 'script');
    add(t.group.processes, true, 'process');
    addFiles(t.group.files, true);
  }
  const eff = effectivePriority(t.basePriority, states, files);
  return { priority: eff.priority, faults };
}
