/**
 * vrrp_sync_group: members move together (keepalived.md §1.4, §4). I/O-free coordination over
 * InstanceRuntime objects:
 * - a member whose own trackers put it in FAULT puts every other member in FAULT (a fault
 *   reason "sync group G: X in FAULT"); when no member has an own fault, they all leave FAULT;
 * - a member that becomes MASTER by itself pulls the BACKUP members to MASTER;
 * - a member that steps down from MASTER to BACKUP pushes the other masters to BACKUP.
 * The group's notify scripts and FIFO lines (`GROUP "G" MASTER 0`) follow the group state.
 *
 * keepalived differences: keepalived checks, before a member goes master, that every other
 * member could too; here the first member to time out decides (members normally share their
 * peers, so they time out together). The machine has no "sync" input yet: forcing uses an
 * expired down timer (to MASTER) or a synthetic higher-priority advert (to BACKUP) — see
 * InstanceRuntime.forceMaster/forceBackup.
 */
import type { SyncGroup } from '../config/vrrp/types.js';
import { publish } from '../core/bus.js';
import { SYNC_FAULT, type InstanceRuntime } from './instance-runtime.js';
import type { VrrpStateName } from './machine-types.js';
import type { Notifier } from './notify.js';

export class SyncGroupRuntime {
  private members: InstanceRuntime[] = [];
  /** Members we moved ourselves: their next transition is not a group decision. */
  private readonly forced = new Set<string>();
  private groupState: VrrpStateName | null = null;

  constructor(
    readonly spec: SyncGroup,
    private readonly notifier: Notifier,
  ) {}

  setMembers(members: InstanceRuntime[]): void {
    this.members = members;
  }

  has(inst: InstanceRuntime): boolean {
    return this.members.includes(inst);
  }

  /** Called after any member's transition. */
  onTransition(inst: InstanceRuntime, from: VrrpStateName, to: VrrpStateName): void {
    const wasForced = this.forced.delete(inst.name);
    this.syncFaults();
    if (!wasForced) {
      if (to === 'MASTER' && from === 'BACKUP') {
        for (const m of this.members)
          if (m !== inst && m.state === 'BACKUP') this.force(m, 'master');
      } else if (from === 'MASTER' && to === 'BACKUP') {
        for (const m of this.members)
          if (m !== inst && m.state === 'MASTER') this.force(m, 'backup');
      }
    }
    this.updateGroupState();
  }

  private force(m: InstanceRuntime, to: 'master' | 'backup'): void {
    this.forced.add(m.name);
    if (to === 'master') m.forceMaster();
    else m.forceBackup();
  }

  /** Every member carries a sync fault while another member has an own fault. */
  syncFaults(): void {
    const faulty = this.members.filter((m) => m.ownFaults().length > 0);
    for (const m of this.members) {
      const others = faulty.filter((x) => x !== m).map((x) => x.name);
      const reason = `${SYNC_FAULT} ${this.spec.name}`;
      const has = (m.machine?.faults ?? []).includes(reason);
      if (others.length > 0 && !has) m.input({ type: 'fault', on: true, reason });
      else if (others.length === 0 && has) m.input({ type: 'fault', on: false, reason });
    }
  }

  /** The group is in a state when all members are (FAULT when any is); notify on change. */
  private updateGroupState(): void {
    const states = this.members.map((m) => m.state);
    let s: VrrpStateName | null = null;
    if (states.includes('FAULT')) s = 'FAULT';
    else if (states.length > 0 && states.every((x) => x === states[0])) s = states[0];
    if (s === null || s === this.groupState || s === 'INIT') return;
    const from = this.groupState ?? 'INIT';
    this.groupState = s;
    publish('vrrp:transition', {
      instance: this.members.map((m) => m.name).join(','),
      group: this.spec.name,
      from,
      to: s,
      reason: 'members',
      priority: 0,
    });
    publish('log', {
      level: 'info',
      subsystem: 'vrrp',
      message: `VRRP_Group(${this.spec.name}) Syncing instances to ${s} state`,
    });
    this.notifier.notify('GROUP', this.spec.name, s, 0, this.spec.notify);
  }

  /** STOP notification for the group on shutdown. */
  stopped(): void {
    if (this.groupState !== null)
      this.notifier.notify('GROUP', this.spec.name, 'STOP', 0, this.spec.notify);
    this.groupState = null;
  }
}
