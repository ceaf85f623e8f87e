/** Config text → LvsSection for the load-balancing tests (in memory, no file system). */
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { LvsSection } from '../../../src/config/lvs/types.js';
import { parseConfig } from '../../../src/config/parse.js';

export function lvsOf(text: string): LvsSection {
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 't.conf', diag);
  const { config } = parseConfig(tree, 't.conf', { interfaces: null, hostname: 'h' }, diag);
  return config.lvs;
}

/** One virtual server with `n` real servers 198.51.100.11.. (weights from `weights`). */
export function vsText(opts: {
  vip?: string;
  port?: number;
  algo?: string;
  kind?: string;
  proto?: string;
  weights?: number[];
  extra?: string;
  rsExtra?: string;
}): string {
  const ws = opts.weights ?? [1, 1, 1];
  const rss = ws
    .map(
      (w, i) =>
        `  real_server 198.51.100.${11 + i} ${opts.port ?? 80} {\n    weight ${w}\n${opts.rsExtra ?? ''}  }`,
    )
    .join('\n');
  return `virtual_server ${opts.vip ?? '203.0.113.100'} ${opts.port ?? 80} {
  lb_algo ${opts.algo ?? 'rr'}
  lb_kind ${opts.kind ?? 'NAT'}
  protocol ${opts.proto ?? 'TCP'}
${opts.extra ?? ''}
${rss}
}
`;
}
