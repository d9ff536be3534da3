// The batch-file rule of the Windows engine (command.cpp, see there).
#pragma once

#include "../request.hpp"

namespace ipc::proc {

// True when req starts a .bat or .cmd file in argv form with an argument
// that needs quoting or holds a character cmd.exe treats specially: such a
// start is refused with EINVAL.
bool batch_refused(const spawn_request& req);

}  // namespace ipc::proc
