/**
 * The real `ConfigFs` over node:fs (synchronous: the config is read once, at
 * start and on reload, before anything else runs).
 *
 * keepalived reads only regular files; a directory or a special file reads as
 * missing here, and the preprocessor reports directories itself through isDir.
 */
import * as fs from 'node:fs';
import type { ConfigFs } from '../config/source.js';

export const nodeConfigFs: ConfigFs = {
  readFile(path: string): string | undefined {
    try {
      if (!fs.statSync(path).isFile()) return undefined;
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir(path: string): string[] | undefined {
    try {
      return fs.readdirSync(path);
    } catch {
      return undefined;
    }
  },
  isExecutable(path: string): boolean {
    try {
      return (fs.statSync(path).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  },
  isDir(path: string): boolean {
    try {
      return fs.statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};
