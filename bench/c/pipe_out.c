/* pipe_out: a child writes N bytes, the parent reads them all through a pipe
 * in 64 KiB reads. Usage: pipe_out N */
#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  long long n = atoll(argv[1]);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "head -c %lld /dev/zero", n);
  static char buf[65536];
  double t0 = bench_now();
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) bench_die("pipe2");
  pid_t pid = bench_spawn_sh(cmd, -1, p[1]);
  close(p[1]);
  long long got = 0;
  for (;;) {
    ssize_t r = read(p[0], buf, sizeof buf);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      bench_die("read");
    }
    got += r;
  }
  close(p[0]);
  bench_reap(pid);
  double t = bench_now() - t0;
  char check[32];
  snprintf(check, sizeof check, "%lld", got);
  bench_result(t, check);
  return 0;
}
