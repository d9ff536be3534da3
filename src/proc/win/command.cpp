// How a command reaches Windows (see command.hpp): a string runs through
// cmd.exe /d /s /c "<cmd>" as a finished command line (/s: cmd.exe drops
// the outer quotes and takes the rest as typed; /d: no AutoRun commands),
// and an argv array is quoted by libuv by the rules the Microsoft C runtime
// parses a command line with. A batch file (.bat, .cmd) in argv form is
// started by Windows through cmd.exe, whose own parsing of the quoted
// arguments lets a crafted argument run commands ("BatBadBut",
// CVE-2024-24576): win/start.cpp refuses it unless no argument needs
// quoting or holds a character cmd.exe treats specially.
#include "../command.hpp"
#include "batch.hpp"

#include <windows.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ipc::proc {

namespace {

// Whether `file` names a batch file: its name ends in .bat or .cmd, in any
// case, once the dots and spaces Windows drops from the end of a name are
// dropped. libuv's search adds only .com and .exe to a bare name, so a
// batch file runs only when it is named so.
bool is_batch(const char* file) {
  size_t n = std::strlen(file);
  while (n && (file[n - 1] == '.' || file[n - 1] == ' ')) n--;
  if (n < 4 || file[n - 4] != '.') return false;
  char ext[4];
  for (int i = 0; i < 3; i++) {
    char ch = file[n - 3 + i];
    ext[i] = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  ext[3] = 0;
  return std::strcmp(ext, "bat") == 0 || std::strcmp(ext, "cmd") == 0;
}

// An argument cmd.exe takes as it is: not empty, letters, digits, bytes of
// UTF-8 sequences and a few punctuation marks that are neither quotes,
// separators nor cmd.exe's operators (& | < > ^ % ! ( ) and the like).
bool plain_argument(const char* arg) {
  if (!*arg) return false;
  for (const char* p = arg; *p; p++) {
    auto ch = static_cast<unsigned char>(*p);
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch >= 0x80 ||
              std::strchr("-_.:/\\+@#~", ch);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool batch_refused(const spawn_request& req) {
  if (req.command_line || !is_batch(req.file)) return false;
  for (char** a = req.args + 1; *a; a++)
    if (!plain_argument(*a)) return true;
  return false;
}

// The C runtime's environment (msvcrt.dll's data); stdlib.h hides its
// declaration with _POSIX_.
extern "C" __declspec(dllimport) char** _environ;

char** parent_environment() {
  return _environ;
}

bool env_names_fold_case() {
  return true;
}

void shell_command(lua_State* L, const char* cmd, spawn_request* req) {
  const char* comspec = getenv("ComSpec");
  if (!comspec || !*comspec) comspec = "cmd.exe";
  auto** a = static_cast<char**>(lua_newuserdatauv(L, 6 * sizeof(char*), 0));
  a[0] = const_cast<char*>(lua_pushfstring(L, "\"%s\"", comspec));
  a[1] = const_cast<char*>("/d");
  a[2] = const_cast<char*>("/s");
  a[3] = const_cast<char*>("/c");
  a[4] = const_cast<char*>(lua_pushfstring(L, "\"%s\"", cmd));
  a[5] = nullptr;
  req->args = a;
  req->file = lua_pushstring(L, comspec);
  req->command_line = true;
}

bool cwd_at_fault(const spawn_request& req, int err) {
  if (!req.cwd || (err != ENOENT && err != ENOTDIR && err != EINVAL))
    return false;
  DWORD attributes = GetFileAttributesA(req.cwd);
  return attributes == INVALID_FILE_ATTRIBUTES ||
         !(attributes & FILE_ATTRIBUTE_DIRECTORY);
}

const char* refusal(const spawn_request& req, int err) {
  if (err == ENOTSUP && req.kind[0] == stdio_fd && req.fd[0] < 0)
    return "stdin: a stream cannot be handed to another process on Windows";
  if (err == EINVAL && batch_refused(req))
    return "a batch file's arguments must not need quoting (cmd.exe would "
           "reparse them)";
  return nullptr;
}

}  // namespace ipc::proc
