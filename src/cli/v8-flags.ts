/**
 * V8 settings for the daemon, set before anything else runs (stayalive.ts imports this first).
 * `--no-flush-bytecode`: V8 drops the bytecode of functions that have not run for a few
 * garbage collections. A backup's takeover code runs once in a long while, by design, and
 * recompiling it at the takeover put milliseconds between the down timer and the GARP. The
 * cost is the memory of the daemon's own bytecode, which stays resident.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-flush-bytecode');
