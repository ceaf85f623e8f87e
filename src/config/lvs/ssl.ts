/** The top-level `SSL { password ca certificate key }` block. Pure. */
import { ErrorCodes } from '../../core/errors.js';
import type { Config } from '../model.js';
import type { Handler } from '../schema.js';
import { walkBlock } from '../schema.js';
import { cfgError } from './common.js';
import type { SslContext } from './types.js';

type Field = 'password' | 'ca' | 'certificate' | 'key';

// keepalived's own names for these in its messages.
const LABEL: Record<Field, string> = {
  password: 'password',
  ca: 'cafile',
  certificate: 'certfile',
  key: 'keyfile',
};

function field(f: Field): Handler<SslContext> {
  return (node, ssl, ctx) => {
    if (!node.args.length) return cfgError(ctx, `SSL ${LABEL[f]} missing`, node.pos);
    if (ssl[f] !== null) {
      cfgError(
        ctx,
        `SSL ${LABEL[f]} already specified - replacing`,
        node.pos,
        ErrorCodes.CONFIG_DUPLICATE,
      );
    }
    ssl[f] = node.args.map((a) => a.text).join(' ');
  };
}

const sslSpec = {
  name: 'SSL',
  keywords: {
    password: field('password'),
    ca: field('ca'),
    certificate: field('certificate'),
    key: field('key'),
  },
};

export const sslHandler: Handler<Config> = (node, config, ctx) => {
  if (config.lvs.ssl) {
    cfgError(
      ctx,
      'SSL context already specified - replacing',
      node.pos,
      ErrorCodes.CONFIG_DUPLICATE,
    );
  }
  const ssl: SslContext = { password: null, ca: null, certificate: null, key: null, pos: node.pos };
  config.lvs.ssl = ssl;
  walkBlock(node.children ?? [], sslSpec, ssl, ctx);
};
