// Lint rules. The pure folders (config, vrrp machine/packet, lb schedulers, bfd machine/packet,
// check rules) must not reach the OS: they import no node:* module, no src/os and no native code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureFiles = [
  'src/config/**/*.ts',
  'src/core/bus-types.ts',
  'src/*/machine.ts',
  'src/*/machine-types.ts',
  'src/*/packet.ts',
  'src/*/types.ts',
  'src/vrrp/{validate,frame,checksum,garp,ip-addr,timers,priority,config-map,track-eval}.ts',
  'src/lb/{desired,rr,wrr,hash,maglev,schedule,ruleset,reconcile,nft-state,format}.ts',
  'src/bfd/udp.ts',
  'src/gateway/machine.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: pureFiles,
    ignores: ['src/config/load.ts', 'src/config/host.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'dgram', 'child_process', 'os'],
              message: 'pure code: no I/O imports',
            },
            { group: ['**/os/**', '**/native/**'], message: 'pure code: no OS adapters' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
