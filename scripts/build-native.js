#!/usr/bin/env node
// Builds the native addon with the node-gyp that ships inside npm, against the
// headers of the Node.js that runs this script (so nothing is downloaded).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const prefix = resolve(dirname(process.execPath), '..');
const headers = join(prefix, 'include', 'node', 'node_api.h');
if (!existsSync(headers)) {
  console.error(`build-native: Node's headers are missing (${headers}); install them with Node.js`);
  process.exit(1);
}
const gyp =
  process.env.npm_config_node_gyp ??
  join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${prefix}`], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
