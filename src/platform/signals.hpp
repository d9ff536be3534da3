// Signals by name, for h:kill(): the number of each name ipc.proc accepts,
// and the highest number. OS calls only (none, in fact: the numbers are the
// system's). On Windows the names keep POSIX's numbers; only term and kill
// can be sent there (the engine returns ENOSYS for the others).
#pragma once

namespace ipc::platform {

// The number of the signal `name` (lower case, without "sig": "term",
// "kill", "int", "hup", "quit", "usr1", "usr2", "stop", "cont"), or 0.
int signal_number(const char* name);

// One more than the highest signal number h:kill accepts.
int signal_limit();

}  // namespace ipc::platform
