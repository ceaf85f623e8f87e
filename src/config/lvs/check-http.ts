/**
 * HTTP_GET and SSL_GET checker keywords, with their `url { … }` blocks. Pure.
 *
 * keepalived differences: regexes are PCRE2 there; here a pattern is
 * test-compiled with JavaScript's RegExp (close for common patterns, not
 * identical), and a pattern that fails marks the url `regexValid: false`
 * (keepalived logs "Invalid regex" and the url can never match).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { walkBlock } from '../schema.js';
import { boolOpt, cfgError, cfgInfo, joinedWords, UINT_MAX } from './common.js';
import {
  checkerBase,
  checkerHandler,
  disable,
  emptyConn,
  type RsTarget,
} from './checker-common.js';
import type { HttpChecker, HttpUrl } from './types.js';
import { parseInteger } from '../values.js';

export const REGEX_OPTIONS = [
  'allow_empty_class',
  'alt_bsux',
  'auto_callout',
  'caseless',
  'dollar_endonly',
  'dotall',
  'dupnames',
  'extended',
  'firstline',
  'match_unset_backref',
  'multiline',
  'never_ucp',
  'never_utf',
  'no_auto_capture',
  'no_auto_possess',
  'no_dotstar_anchor',
  'no_start_optimize',
  'ucp',
  'ungreedy',
  'utf',
  'never_backslash_c',
  'alt_circumflex',
  'alt_verbnames',
  'use_offset_limit',
];

function emptyUrl(pos: HttpUrl['pos']): HttpUrl {
  return {
    path: null,
    digest: null,
    statusCodes: [],
    virtualhost: null,
    regex: null,
    regexNoMatch: false,
    regexOptions: [],
    regexMinOffset: 0,
    regexMaxOffset: 0,
    regexStack: null,
    regexValid: true,
    pos,
  };
}

function regexOffset(
  node: Parameters<Handler<HttpUrl>>[0],
  ctx: Parameters<Handler<HttpUrl>>[2],
  type: string,
): number {
  if (node.args.length !== 1) {
    cfgInfo(ctx, `Missing or too may options for regex_${type}_offset`, node.pos);
    return 0;
  }
  const t = node.args[0];
  if (!/^\d+$/.test(t.text)) {
    cfgInfo(ctx, `Invalid regex_${type}_offset ${t.text} specified`, t.pos);
    return 0;
  }
  return Number(t.text);
}

const urlKeywords: Record<string, Handler<HttpUrl>> = {
  // keepalived ≥ 2.2.8 (also valid inside url{}); 2.2.7 calls it unknown.
  tls_compliant: (node, _x, ctx) => {
    cfgInfo(ctx, 'tls_compliant (keepalived 2.2.8+) accepted and ignored', node.pos);
  },
  path: (node, u) => {
    u.path = node.args.map((a) => a.text).join(' ');
  },
  digest: (node, u, ctx) => {
    const t = node.args[0];
    if (!t) return;
    if (u.digest !== null) {
      cfgError(ctx, `Digest '${t.text}' is a duplicate`, t.pos, ErrorCodes.CONFIG_DUPLICATE);
      return;
    }
    if (t.text.length !== 32) {
      cfgError(
        ctx,
        `digest '${t.text}' character length should be 32 rather than ${t.text.length}`,
        t.pos,
      );
      return;
    }
    if (!/^[0-9a-fA-F]{32}$/.test(t.text)) {
      cfgError(ctx, `Unable to interpret hex digit in '${t.text}'`, t.pos);
      return;
    }
    u.digest = t.text.toLowerCase();
  },
  status_code: (node, u, ctx) => {
    for (const t of node.args) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(t.text);
      const min = m ? Number(m[1]) : NaN;
      const max = m ? Number(m[2] ?? m[1]) : NaN;
      if (!m || min < 100 || max > 599 || min > max || max < 100 || min > 599) {
        cfgError(ctx, `Invalid HTTP_GET status code '${t.text}'`, t.pos);
        continue;
      }
      u.statusCodes.push([min, max]);
    }
  },
  virtualhost: (node, u, ctx) => {
    const v = joinedWords(node, ctx, 'Missing HTTP_GET virtualhost name');
    if (v !== undefined) u.virtualhost = v;
  },
  regex: (node, u, ctx) => {
    // keepalived reads the pattern with quoted/escaped rules: one word.
    if (node.args.length !== 1) {
      cfgInfo(ctx, 'regex missing or too many fields', node.pos);
      return;
    }
    u.regex = node.args[0].text;
  },
  regex_no_match: (_node, u) => {
    u.regexNoMatch = true;
  },
  regex_options: (node, u) => {
    // Unknown option words are silently skipped by keepalived.
    for (const t of node.args) {
      if (REGEX_OPTIONS.includes(t.text) && !u.regexOptions.includes(t.text)) {
        u.regexOptions.push(t.text);
      }
    }
  },
  regex_min_offset: (node, u, ctx) => {
    u.regexMinOffset = regexOffset(node, ctx, 'min');
  },
  regex_max_offset: (node, u, ctx) => {
    u.regexMaxOffset = regexOffset(node, ctx, 'max');
  },
  regex_stack: (node, u, ctx) => {
    if (node.args.length !== 2) {
      cfgInfo(ctx, 'regex_stack requires start and max values', node.pos);
      return;
    }
    const [a, b] = node.args;
    if (!/^\d+$/.test(a.text)) return cfgInfo(ctx, 'regex_stack invalid start value', a.pos);
    if (!/^\d+$/.test(b.text)) return cfgInfo(ctx, 'regex_stack invalid max value', b.pos);
    if (Number(a.text) > Number(b.text)) {
      return cfgInfo(ctx, 'regex stack start cannot exceed max value', node.pos);
    }
    u.regexStack = { start: Number(a.text), max: Number(b.text) };
  },
};

/** keepalived's url_check(): end-of-url defaults and consistency. */
function urlEnd(u: HttpUrl, c: HttpChecker, ctx: Parameters<Handler<HttpUrl>>[2]): void {
  if (u.path === null) {
    cfgError(
      ctx,
      'HTTP/SSL_GET checker url has no path - ignoring',
      u.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    return;
  }
  if (u.statusCodes.length === 0) u.statusCodes.push([200, 299]);
  if (u.regex === null) {
    if (
      u.regexOptions.length ||
      u.regexNoMatch ||
      u.regexMinOffset ||
      u.regexMaxOffset ||
      u.regexStack
    ) {
      cfgInfo(ctx, 'regex parameters specified without regex', u.pos);
      u.regexOptions = [];
      u.regexNoMatch = false;
      u.regexMinOffset = 0;
      u.regexMaxOffset = 0;
      u.regexStack = null;
    }
  } else {
    const flags =
      (u.regexOptions.includes('caseless') ? 'i' : '') +
      (u.regexOptions.includes('multiline') ? 'm' : '') +
      (u.regexOptions.includes('dotall') ? 's' : '');
    try {
      new RegExp(u.regex, flags);
    } catch (e) {
      u.regexValid = false;
      cfgInfo(ctx, `Invalid regex: '${u.regex}': ${(e as Error).message}`, u.pos);
    }
  }
  // regex_max_offset N is stored as N+1 by keepalived: min must be ≤ max.
  if (u.regexMaxOffset && u.regexMinOffset >= u.regexMaxOffset + 1) {
    cfgInfo(
      ctx,
      `regex min offset ${u.regexMinOffset} > regex_max_offset ${u.regexMaxOffset} - ignoring`,
      u.pos,
    );
    u.regexMinOffset = 0;
    u.regexMaxOffset = 0;
  }
  c.urls.push(u);
}

const httpKeywords: Record<string, Handler<HttpChecker>> = {
  // keepalived ≥ 2.2.8 (also valid inside url{}); 2.2.7 calls it unknown.
  tls_compliant: (node, _x, ctx) => {
    cfgInfo(ctx, 'tls_compliant (keepalived 2.2.8+) accepted and ignored', node.pos);
  },
  nb_get_retry: (node, c, ctx) => {
    cfgError(
      ctx,
      "nb_get_retry is deprecated - please use 'retry'",
      node.pos,
      ErrorCodes.CONFIG_DEPRECATED,
    );
    const t = node.args[0];
    if (!t) return;
    const v = parseInteger(t, ctx, 0, UINT_MAX);
    if (v === undefined) cfgError(ctx, `Invalid nb_get_retry value '${t.text}'`, t.pos);
    else c.retry = v;
  },
  virtualhost: (node, c, ctx) => {
    const v = joinedWords(node, ctx, 'HTTP_GET virtualhost name missing');
    if (v !== undefined) c.virtualhost = v;
  },
  http_protocol: (node, c, ctx) => {
    const t = node.args[0];
    if (!t) {
      cfgError(ctx, 'Missing http_protocol version', node.pos);
      return;
    }
    if (t.text === '1.0' || t.text === '1.1') c.httpProtocol = t.text;
    else if (t.text === '1.0C' || t.text === '1.0c') c.httpProtocol = '1.0C';
    else cfgError(ctx, `Invalid http_protocol version ${t.text}`, t.pos);
  },
  enable_sni: (node, c, ctx) => {
    const v = boolOpt(node, ctx, 'enable_sni');
    if (v !== undefined) c.enableSni = v;
  },
  fast_recovery: (node, c, ctx) => {
    const v = boolOpt(node, ctx, 'fast_recovery');
    if (v !== undefined) c.fastRecovery = v;
  },
  url: (node, c, ctx) => {
    const u = emptyUrl(node.pos);
    walkBlock(node.children ?? [], { name: 'url', keywords: urlKeywords }, u, ctx);
    urlEnd(u, c, ctx);
  },
};

function httpFamily(type: 'HTTP_GET' | 'SSL_GET'): Handler<RsTarget> {
  return checkerHandler<HttpChecker>({
    name: type,
    connection: true,
    make: (node) => ({
      ...checkerBase(node),
      type,
      conn: emptyConn(),
      virtualhost: null,
      httpProtocol: '1.0',
      enableSni: false,
      fastRecovery: false,
      urls: [],
    }),
    keywords: httpKeywords,
    end: (c, node, _t, ctx) => {
      if (c.urls.length === 0) {
        // keepalived 2.2.7 then crashes in `-t` (rc 139): see docs/notes/keepalived-t-lvs.md.
        cfgError(
          ctx,
          'HTTP/SSL_GET checker has no urls specified - ignoring',
          node.pos,
          ErrorCodes.CONFIG_INVALID_OBJECT,
        );
        disable(c, 'no urls');
      } else if (c.urls.some((u) => !u.regexValid)) {
        disable(c, 'invalid regex');
      }
    },
  });
}

export const httpCheckKeywords = {
  HTTP_GET: httpFamily('HTTP_GET'),
  SSL_GET: httpFamily('SSL_GET'),
};
