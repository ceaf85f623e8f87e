/**
 * An in-memory ConfigFs for the include/glob tests: keys are file paths,
 * directories are implied by them. Pure.
 */
import { dirName } from '../../../src/config/glob.js';
import type { ConfigFs } from '../../../src/config/source.js';

/** Lexical normalisation, so that `a/../b` finds `b` in the map. */
export function normPath(p: string): string {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '..') out.pop();
    else if (c !== '.' && c !== '') out.push(c);
  }
  return `/${out.join('/')}`;
}

/** Only drops trailing slashes (`/a/` → `/a`). */
export const trimSlashes = (p: string): string => p.replace(/(.)\/+$/, '$1');

export function memFs(
  files: Record<string, string>,
  opts: {
    /** How a path is looked up among the directories (and files, unless `filesAsWritten`). */
    norm: (p: string) => string;
    /** Look files up by the path exactly as given. */
    filesAsWritten?: boolean;
    /** List directories backwards, to show the caller sorts. */
    reverseListing?: boolean;
  },
): ConfigFs {
  const { norm } = opts;
  const dirs = new Set<string>(['/']);
  for (const f of Object.keys(files))
    for (let d = dirName(f); d !== '' && !dirs.has(d); d = dirName(d)) dirs.add(d);
  return {
    readFile: (p) => files[opts.filesAsWritten ? p : norm(p)],
    isDir: (p) => dirs.has(norm(p)),
    listDir: (p) => {
      const d = norm(p);
      if (!dirs.has(d)) return undefined;
      const pre = d === '/' ? '/' : `${d}/`;
      const names = new Set<string>();
      for (const x of [...Object.keys(files), ...dirs])
        if (x.startsWith(pre) && x.length > pre.length)
          names.add(x.slice(pre.length).split('/')[0]);
      return opts.reverseListing ? [...names].reverse() : [...names];
    },
  };
}
