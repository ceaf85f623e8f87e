// stayalive native addon: one SendBatch armed to be sent from inside the
// handler of SIGTERM/SIGINT, before Node's own handler (libuv's) is chained.
// The graceful handover's priority-0 adverts then leave microseconds after
// the signal, not after an event-loop turn and the JavaScript that follows.
#pragma once

#include <csignal>
#include <vector>

namespace stayalive {

class SendBatch;

// Installs the handler for `signals` (again, if someone replaced it since),
// remembering what was there to chain to, and arms `batch` (nullptr disarms).
// Main thread only. Returns 0, or the errno of a failed sigaction().
int ArmSignalBatch(SendBatch* batch, const std::vector<int>& signals);

}  // namespace stayalive
