/* strfile_lines: count the lines of a buffer already in memory with memchr
 * (the file is read before the clock starts). Usage: strfile_lines PATH */
#include <sys/stat.h>

#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  FILE* f = fopen(argv[1], "rb");
  if (!f) bench_die("fopen");
  struct stat st;
  if (fstat(fileno(f), &st) != 0) bench_die("fstat");
  size_t len = (size_t)st.st_size;
  char* buf = malloc(len + 1);
  if (!buf || fread(buf, 1, len, f) != len) bench_die("fread");
  fclose(f);
  double t0 = bench_now();
  long long lines, bytes;
  bench_count_lines(buf, len, &lines, &bytes);
  double t = bench_now() - t0;
  char check[64];
  snprintf(check, sizeof check, "%lld:%lld", lines, bytes);
  bench_result(t, check);
  free(buf);
  return 0;
}
