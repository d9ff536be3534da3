/* Helpers shared by the C baselines of the benchmark suite. Each baseline
 * does the work of its workload the cheapest way C allows, times only that
 * work with the monotonic clock, and prints one line the runner parses:
 * "RESULT <seconds> <check> <peak RSS in KiB>", where <check> must equal
 * what the Lua variants of the same workload report (so that all did the
 * same work). */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_die(const char* what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

/* Keeps the compiler from dropping a copy whose result is never read. */
static inline void bench_keep(void* p) {
  __asm__ volatile("" : : "r"(p) : "memory");
}

/* Prints the result line, with the peak resident set size in KiB last (the
 * Lua variants report VmHWM, which is the same number). */
static inline void bench_result(double seconds, const char* check) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("RESULT %.9f %s %ld\n", seconds, check, ru.ru_maxrss);
}

/* Starts `/bin/sh -c cmd` (as the Lua variants do for a string command) with
 * its stdin and stdout connected to the given descriptors (-1: inherited). */
static inline pid_t bench_spawn_sh(const char* cmd, int in, int out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (in >= 0) posix_spawn_file_actions_adddup2(&fa, in, 0);
  if (out >= 0) posix_spawn_file_actions_adddup2(&fa, out, 1);
  char* argv[] = {"sh", "-c", (char*)cmd, NULL};
  pid_t pid;
  int err = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err) {
    errno = err;
    bench_die("posix_spawn");
  }
  return pid;
}

static inline int bench_reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) bench_die("waitpid");
  return status;
}

/* Counts the lines of a buffer the way Lua's "l" format splits them (a last
 * line without "\n" counts too) and the bytes of the lines without "\n". */
static inline void bench_count_lines(const char* p, size_t len,
                                     long long* lines, long long* bytes) {
  const char* end = p + len;
  long long n = 0, b = 0;
  while (p < end) {
    const char* nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) {
      n++;
      b += end - p;
      break;
    }
    n++;
    b += nl - p;
    p = nl + 1;
  }
  *lines = n;
  *bytes = b;
}

#endif
