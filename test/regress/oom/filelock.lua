-- Every filelock function, and the platform table.
local filelock = require "ipc.filelock"
local f <close> = assert(io.open(os.getenv("IPC_OOM_FILE"), "r+"))
local _ = { filelock.lock(f, "w"), filelock.unlock(f), filelock.trylock(f, "r", 1, 2) }
_ = { filelock.unlock(f, 1, 2), require("ipc").platform.os }
