/**
 * `stayalive -t` and `--dump-config`: read the configuration, print the
 * diagnostics (stderr, or keepalived's optional log file), and exit with
 * keepalived's verdict.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { loadConfig } from '../config/load.js';
import { configTestExitCode, EXIT_CANNOT_RUN, EXIT_OK } from '../config/verdict.js';
import { nodeConfigFs } from '../os/config-fs.js';
import { readHostFacts } from '../os/host.js';
import type { DaemonOptions } from './options.js';

function readAll(o: DaemonOptions): { diagnostics: Diagnostic[]; config?: unknown } {
  const host = readHostFacts();
  const loaded = loadConfig(
    o.configFile,
    { fs: nodeConfigFs, configId: o.configId ?? host.hostname },
    host,
  );
  let diagnostics = loaded.diagnostics;
  // -e: any missing part of the configuration means it cannot run.
  if (o.allConfig) {
    diagnostics = diagnostics.map((d) =>
      d.code === 'SA_ERR_CONFIG_FILE_NOT_FOUND' && d.klass === 'info'
        ? { ...d, klass: 'file-not-found' }
        : d,
    );
  }
  return { diagnostics, config: loaded.config };
}

export function runConfigTest(o: DaemonOptions): number {
  const out: string[] = [];
  let code: number;
  if (!existsSync(o.configFile)) {
    // keepalived: a missing main file is reported, and only -e makes it an error.
    out.push(`${o.configFile}: error: Configuration file not found`);
    code = o.allConfig ? EXIT_CANNOT_RUN : EXIT_OK;
  } else {
    const { diagnostics } = readAll(o);
    out.push(...diagnostics.map(formatDiagnostic));
    code = configTestExitCode(diagnostics);
  }
  const text = out.length ? out.join('\n') + '\n' : '';
  if (typeof o.configTest === 'string') writeFileSync(o.configTest, text);
  else process.stderr.write(text);
  return code;
}

export function runDumpConfig(o: DaemonOptions): number {
  if (!existsSync(o.configFile)) {
    process.stderr.write(`${o.configFile}: error: Configuration file not found\n`);
    return EXIT_CANNOT_RUN;
  }
  const { diagnostics, config } = readAll(o);
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  process.stdout.write(JSON.stringify(config, null, 2) + '\n');
  return EXIT_OK;
}
