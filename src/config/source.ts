/**
 * The file access the preprocessor needs, injected so the config folder
 * stays pure (the shell passes node:fs; tests pass an in-memory map).
 */
export interface ConfigFs {
  /** File contents, or undefined if it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** Entry names of a directory, or undefined if it is not a readable directory. */
  listDir(path: string): string[] | undefined;
  /** True if `path` names a directory. */
  isDir(path: string): boolean;
  /** True if `path` has an execute bit (keepalived skips executable config files). */
  isExecutable?(path: string): boolean;
}

export interface ReadOptions {
  fs: ConfigFs;
  /** `-i/--config-id`; keepalived defaults it to the short hostname. */
  configId: string;
  /** Values for predefined macros (`${_INSTANCE}`, …). */
  instance?: string;
  /** Random source for `${_RANDOM}`; injected for determinism in tests. */
  random?: () => number;
}
