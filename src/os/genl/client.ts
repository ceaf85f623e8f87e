/**
 * GenlClient: generic netlink over the addon's NetlinkSocket (I/O, not pure). Resolves families
 * by name through nlctrl (CTRL_CMD_GETFAMILY; cached per client) and sends a family's commands
 * as acked requests or dumps. An unknown family is GenlFamilyNotFoundError (code ENOENT); other
 * refusals are GenlError with the kernel's errno.
 *
 * Note: for a name the kernel does not know, nlctrl first tries to load a module aliased
 * net-pf-16-proto-16-family-<name> (the IPVS module carries that alias), as libnl's resolver does.
 */
import { NetlinkProtocol } from '../native.js';
import { NetlinkRequester, type RequesterOptions } from '../netlink/requester.js';
import { GENL_ID_CTRL } from './constants.js';
import { GenlError, GenlFamilyNotFoundError } from './errors.js';
import {
  decodeFamily,
  encodeGenl,
  encodeGetFamily,
  genlReplies,
  type GenlBody,
  type GenlFamily,
} from './messages.js';

export type GenlOptions = RequesterOptions;

const makeError = (what: string, errno: number, detail?: string, cause?: unknown): Error =>
  new GenlError(what, errno, detail, cause === undefined ? undefined : { cause });

export class GenlClient {
  private readonly nl: NetlinkRequester;
  private readonly families = new Map<string, GenlFamily>();

  private constructor(nl: NetlinkRequester) {
    this.nl = nl;
  }

  /** Opens a NETLINK_GENERIC socket in the caller's network namespace. */
  static open(opts: GenlOptions = {}): GenlClient {
    return new GenlClient(NetlinkRequester.open(NetlinkProtocol.GENERIC, makeError, opts));
  }

  close(): void {
    this.nl.close();
  }

  /** The family's id, version, ops and groups; GenlFamilyNotFoundError when it is not there. */
  async resolveFamily(name: string): Promise<GenlFamily> {
    const cached = this.families.get(name);
    if (cached) return cached;
    const what = (): string => `resolve generic netlink family ${name}`;
    let replies;
    try {
      replies = await this.nl.ack(GENL_ID_CTRL, 0, encodeGenl(encodeGetFamily(name)), what);
    } catch (e) {
      if (e instanceof GenlError && e.code === 'ENOENT') {
        throw new GenlFamilyNotFoundError(name, { cause: e });
      }
      throw e;
    }
    const m = replies.find((r) => r.type === GENL_ID_CTRL);
    if (!m) throw new GenlError(what(), 61, 'nlctrl sent no family'); // ENODATA
    const fam = decodeFamily(m.payload);
    this.families.set(name, fam);
    return fam;
  }

  /** A command answered by an ack; resolves with the family's replies sent before it. */
  async request(familyId: number, body: GenlBody, what: () => string): Promise<GenlBody[]> {
    const replies = await this.nl.ack(familyId, 0, encodeGenl(body), what);
    return genlReplies(replies, familyId);
  }

  /** A dump request (NLM_F_DUMP); resolves with every reply body. */
  async dump(familyId: number, body: GenlBody, what: () => string): Promise<GenlBody[]> {
    const replies = await this.nl.dump(familyId, encodeGenl(body), what);
    return genlReplies(replies, familyId);
  }
}
