// vrrp_track_process: the pure matcher (name, full_command, param_match, quorum) and, on the
// real wire with two stayalive nodes (v3, 0.1 s), a tracked process's weight moving the VIP
// and a weight-0 quorum putting the master in FAULT. The lab part needs root and `npm run build`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { processMatches, quorumUp, type ProcessSpec } from '../../src/vrrp/process-match.js';
import { requireRoot, waitFor, withLab, type Host, type LabProcess } from './lib/index.js';
import { MAC, startNode, trio, vrrpConf, waitAnswerFrom, waitSoleHolder } from './vrrp-common.js';

const spec = (o: Partial<ProcessSpec>): ProcessSpec => ({
  process: 'sleep',
  params: [],
  paramMatch: null,
  fullCommand: false,
  quorum: 1,
  quorumMax: null,
  ...o,
});
const proc = (comm: string, ...argv: string[]): { comm: string; argv: string[] } => ({
  comm,
  argv,
});

describe('track_process matching (pure)', () => {
  test('name matches comm; full_command matches the first word of the command line', () => {
    assert.equal(processMatches(spec({}), proc('sleep', '/bin/sleep', '5')), true);
    assert.equal(processMatches(spec({}), proc('sleepy', 'sleep')), false);
    const full = spec({ process: '/bin/sleep', fullCommand: true });
    assert.equal(processMatches(full, proc('sleep', '/bin/sleep', '5')), true);
    assert.equal(processMatches(full, proc('sleep', 'sleep', '5')), false);
    assert.equal(processMatches(full, proc('sleep')), false, 'zombie: empty cmdline');
  });
  test('exact, partial and initial parameter matching', () => {
    const exact = spec({ params: ['-a', 'x'], paramMatch: 'exact' });
    assert.equal(processMatches(exact, proc('sleep', 'sleep', '-a', 'x')), true);
    assert.equal(processMatches(exact, proc('sleep', 'sleep', '-a', 'x', 'y')), false);
    assert.equal(processMatches(spec({ paramMatch: 'exact' }), proc('sleep', 'sleep', '1')), false);
    const partial = spec({ params: ['-a', 'x'], paramMatch: 'partial' });
    assert.equal(processMatches(partial, proc('sleep', 'sleep', '-a', 'x', 'y')), true);
    assert.equal(processMatches(partial, proc('sleep', 'sleep', '-a', 'xy')), false);
    const initial = spec({ params: ['-a', 'x'], paramMatch: 'initial' });
    assert.equal(processMatches(initial, proc('sleep', 'sleep', '-a', 'xy', 'z')), true);
    assert.equal(processMatches(initial, proc('sleep', 'sleep', '-b', 'xy')), false);
  });
  test('quorum and quorum_max', () => {
    assert.equal(quorumUp(spec({ quorum: 2 }), 1), false);
    assert.equal(quorumUp(spec({ quorum: 2 }), 2), true);
    assert.equal(quorumUp(spec({ quorum: 1, quorumMax: 2 }), 3), false);
    assert.equal(quorumUp(spec({ quorum: 0, quorumMax: 0 }), 0), true, 'must not run');
  });
});

const VIP = '192.0.2.130';
// Unique arguments so that no other sleep on the machine matches.
const ARG1 = `3133${process.pid % 10}.1`;
const ARG2 = `3133${process.pid % 10}.2`;

test('track_process: weight moves the VIP; a weight-0 quorum puts the master in FAULT', async () => {
  requireRoot();
  await withLab('vp', async (lab) => {
    const { a, b, c } = await trio(lab);
    const run = (h: Host, arg: string): LabProcess => h.spawn(['sleep', arg]);
    const outside = [
      `vrrp_track_process p1 {\n  process sleep ${ARG1}\n  weight -60\n}`,
      `vrrp_track_process p2 {\n  process sleep ${ARG2}\n  quorum 2\n  weight 0\n}`,
    ].join('\n');
    const base = { vrid: 62, version: 3 as const, advertInt: 0.1, vips: [`${VIP}/24`] };
    const p1 = run(a, ARG1);
    const p2 = [run(a, ARG2), run(a, ARG2)];
    const na = startNode(
      lab,
      a,
      'stayalive',
      vrrpConf({
        ...base,
        priority: 150,
        outside,
        extra: '  track_process {\n    p1\n    p2\n  }',
      }),
    );
    startNode(lab, b, 'stayalive', vrrpConf({ ...base, priority: 100 }));
    await waitSoleHolder([a, b], a, VIP, 8000);

    // p1 gone: 150 - 60 = 90 < 100, b takes over.
    p1.kill('SIGKILL');
    await p1.exited;
    await waitSoleHolder([a, b], b, VIP, 3000);
    await waitAnswerFrom(c, VIP, MAC.b, 3000);
    assert.match(readFileSync(na.log, 'utf8'), /Changing effective priority from 150 to 90/);

    // p1 back: a preempts.
    run(a, ARG1); // the lab kills it at teardown
    await waitSoleHolder([a, b], a, VIP, 3000);

    // One of the two p2 gone: quorum 2 lost, weight 0 → FAULT; b takes over.
    p2[0].kill('SIGKILL');
    await p2[0].exited;
    await waitSoleHolder([a, b], b, VIP, 3000);
    await waitFor(() => /Entering FAULT STATE/.test(readFileSync(na.log, 'utf8')), {
      timeoutMs: 2000,
      what: 'a in FAULT',
    });
    p2[0] = run(a, ARG2);
    await waitSoleHolder([a, b], a, VIP, 3000);
  });
});
