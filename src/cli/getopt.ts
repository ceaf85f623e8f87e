/**
 * A getopt_long work-alike. Pure.
 *
 * keepalived's flags follow glibc getopt: short options cluster (`-nlD`), a
 * required argument may be attached or separate (`-fX`, `-f X`), an optional
 * argument only attached (`-tFILE`, `--config-test=FILE`), long options may be
 * abbreviated to a unique prefix, and `--` ends the options. No library on
 * npm gets the optional-argument cases right, hence this file.
 */

export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  /** Canonical name the caller switches on. */
  name: string;
  short?: string;
  long?: string;
  arg: ArgKind;
}

export interface ParsedOption {
  name: string;
  value?: string;
  /** How the user wrote it, for messages. */
  spelled: string;
}

export type GetoptResult =
  { ok: true; options: ParsedOption[]; operands: string[] } | { ok: false; error: string };

export function getopt(argv: readonly string[], specs: readonly OptionSpec[]): GetoptResult {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = specs.find((s) => s.long === name);
      const prefixed = specs.filter((s) => s.long?.startsWith(name));
      const spec = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!spec || name === '') {
        if (prefixed.length > 1) return { ok: false, error: `Ambiguous option ${a}` };
        return { ok: false, error: `Unknown option ${a}` };
      }
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (spec.arg === 'none' && value !== undefined) {
        return { ok: false, error: `Option --${spec.long} takes no parameter` };
      }
      if (spec.arg === 'required' && value === undefined) value = argv[++i];
      if (spec.arg === 'required' && !value) {
        return { ok: false, error: `Missing parameter for option --${spec.long}` };
      }
      options.push({ name: spec.name, value, spelled: `--${spec.long}` });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const spec = byShort.get(a[j]);
        if (!spec) return { ok: false, error: `Unknown option -${a[j]}` };
        const attached = a.slice(j + 1);
        if (spec.arg === 'none') {
          options.push({ name: spec.name, spelled: `-${a[j]}` });
          continue;
        }
        let value: string | undefined = attached || undefined;
        if (spec.arg === 'required' && value === undefined) value = argv[++i];
        if (spec.arg === 'required' && !value) {
          return { ok: false, error: `Missing parameter for option -${a[j]}` };
        }
        options.push({ name: spec.name, value, spelled: `-${a[j]}` });
        break;
      }
      continue;
    }
    operands.push(a);
  }
  return { ok: true, options, operands };
}
