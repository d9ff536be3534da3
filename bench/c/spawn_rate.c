/* spawn_rate: N times `/bin/sh -c true` and wait for it. Usage: spawn_rate N */
#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  long long n = atoll(argv[1]), ok = 0;
  double t0 = bench_now();
  for (long long i = 0; i < n; i++) {
    int status = bench_reap(bench_spawn_sh("true", -1, -1));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ok++;
  }
  double t = bench_now() - t0;
  char check[32];
  snprintf(check, sizeof check, "%lld", ok);
  bench_result(t, check);
  return 0;
}
