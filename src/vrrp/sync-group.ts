/**
 * vrrp_sync_group: members move together (keepalived.md §1.4, §4). I/O-free coordination over
 * InstanceRuntime objects, through the machine's `sync` input:
 * - a member whose own trackers put it in FAULT puts every other member in FAULT (a fault
 *   reason "sync group G: X in FAULT"); when no member has an own fault, they all leave FAULT;
 * - a member whose down timer fires only *wants* MASTER (machine state `wantsMaster`); the group goes
 *   MASTER when every other member is MASTER or wants it too (keepalived's
 *   vrrp_sync_can_goto_master: prefer BACKUP to thrashing); until then the member stays BACKUP
 *   and asks again each Master_Down_Interval;
 * - a member that becomes MASTER by itself (an address owner, at start or out of FAULT) pulls
 *   the BACKUP members to MASTER;
 * - a member that steps down from MASTER to BACKUP pushes the other masters to BACKUP.
 * The group's notify scripts and FIFO lines (`GROUP "G" MASTER 0`) follow the group state.
 */
import type { SyncGroup } from '../config/vrrp/types.js';
import { publish } from '../core/bus.js';
import { SYNC_FAULT, type InstanceRuntime } from './instance-runtime.js';
import type { VrrpStateName } from './machine-types.js';
import type { Notifier } from './notify.js';

/** The transition reason the machine gives for a `sync` input. */
export const SYNC_REASON = 'sync group';

/** keepalived vrrp_sync_can_goto_master: every other member is MASTER or wants to be. */
export function canGoMaster(
  inst: Pick<InstanceRuntime, 'state'>,
  members: readonly Pick<InstanceRuntime, 'state' | 'machine'>[],
): boolean {
  return members.every(
    (m) =>
      m === inst ||
      m.state === 'MASTER' ||
      (m.state === 'BACKUP' && m.machine !== null && m.machine.wantsMaster),
  );
}

export class SyncGroupRuntime {
  private members: InstanceRuntime[] = [];
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

  /** Called after any member's transition (`reason` 'sync group' = moved by us). */
  onTransition(
    inst: InstanceRuntime,
    from: VrrpStateName,
    to: VrrpStateName,
    reason: string,
  ): void {
    this.syncFaults();
    if (reason !== SYNC_REASON) {
      if (to === 'MASTER') {
        for (const m of this.members) if (m !== inst && m.state === 'BACKUP') m.sync('MASTER');
      } else if (from === 'MASTER' && to === 'BACKUP') {
        for (const m of this.members) if (m !== inst && m.state === 'MASTER') m.sync('BACKUP');
      }
    }
    this.updateGroupState();
  }

  /** A member's down timer fired: MASTER for all when every other member can be master too. */
  onWantMaster(inst: InstanceRuntime): void {
    if (!canGoMaster(inst, this.members)) return;
    for (const m of this.members) if (m.state === 'BACKUP') m.sync('MASTER');
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

  /** The group's state as last notified (null before its members agree on one). */
  get state(): VrrpStateName | null {
    return this.groupState;
  }

  /**
   * A reload rebuilt the group: it takes over the old group's state without notifying, then
   * notifies only if its members are now in another state (keepalived's state_same_at_reload).
   * Returns whether the state stayed the same.
   */
  adopt(previous: VrrpStateName | null): boolean {
    this.groupState = previous;
    this.updateGroupState();
    return previous !== null && this.groupState === previous;
  }

  /** STOP notification for the group on shutdown. */
  stopped(): void {
    if (this.groupState !== null)
      this.notifier.notify('GROUP', this.spec.name, 'STOP', 0, this.spec.notify);
    this.groupState = null;
  }
}
