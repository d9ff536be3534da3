/* pipe_roundtrip: CHUNKS x 64 KiB through `cat`, written as fast as the pipe
 * takes them while the output is read. Usage: pipe_roundtrip CHUNKS */
#include "pipe_io.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  long long chunks = atoll(argv[1]);
  long long total = chunks * 65536;
  double t0 = bench_now();
  long long got = pipe_through_cat(total, 65536, total);
  double t = bench_now() - t0;
  char check[32];
  snprintf(check, sizeof check, "%lld", got);
  bench_result(t, check);
  return 0;
}
