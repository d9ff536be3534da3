---@meta ipc.cqueues
-- docs/loop.md: requiring it installs the ipc.loop scheduler for cqueues.
return true
