/**
 * The error catalogue: every error stayalive reports has one stable code.
 * Codes are part of the interface (logs, API, tests grep for them); add, never rename.
 */
export const ErrorCodes = {
  /** Lexical or grammar problem in a config file (brace, quote, line). */
  CONFIG_SYNTAX: 'SA_ERR_CONFIG_SYNTAX',
  /** A keyword that does not exist in the block where it appears. */
  CONFIG_UNKNOWN_KEYWORD: 'SA_ERR_CONFIG_UNKNOWN_KEYWORD',
  /** A value that fails its type or range check. */
  CONFIG_BAD_VALUE: 'SA_ERR_CONFIG_BAD_VALUE',
  /** A required keyword is missing, or an object is unusable as written. */
  CONFIG_INVALID_OBJECT: 'SA_ERR_CONFIG_INVALID_OBJECT',
  /** A reference (track_script, BFD_CHECK name, group member…) names nothing. */
  CONFIG_BAD_REFERENCE: 'SA_ERR_CONFIG_BAD_REFERENCE',
  /** Two objects share a name or identity where keepalived forbids it. */
  CONFIG_DUPLICATE: 'SA_ERR_CONFIG_DUPLICATE',
  /** A keyword keepalived accepts but that is deprecated or has no effect. */
  CONFIG_DEPRECATED: 'SA_ERR_CONFIG_DEPRECATED',
  /** An included or referenced file does not exist. */
  CONFIG_FILE_NOT_FOUND: 'SA_ERR_CONFIG_FILE_NOT_FOUND',
  /** An interface named in the config does not exist on this host. */
  CONFIG_BAD_INTERFACE: 'SA_ERR_CONFIG_BAD_INTERFACE',
  /** Script security: a script would run as root from a path others can write. */
  CONFIG_SCRIPT_SECURITY: 'SA_ERR_CONFIG_SCRIPT_SECURITY',
  /** The configuration cannot run at all. */
  CONFIG_FATAL: 'SA_ERR_CONFIG_FATAL',
  /** Command-line usage error. */
  CLI_USAGE: 'SA_ERR_CLI_USAGE',
  /** A malformed packet from the network (counted, never thrown to the top). */
  PACKET_MALFORMED: 'SA_ERR_PACKET_MALFORMED',
  /** An operating-system call failed. */
  OS: 'SA_ERR_OS',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An Error that carries a catalogue code. */
export class StayaliveError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StayaliveError';
    this.code = code;
  }
}
