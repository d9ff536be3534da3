/* pipe_window: BYTES through `cat` in 16 KiB writes with at most 48 KiB
 * written but not yet read back. Usage: pipe_window BYTES */
#include "pipe_io.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  long long total = atoll(argv[1]);
  double t0 = bench_now();
  long long got = pipe_through_cat(total, 16384, 49152);
  double t = bench_now() - t0;
  char check[32];
  snprintf(check, sizeof check, "%lld", got);
  bench_result(t, check);
  return 0;
}
