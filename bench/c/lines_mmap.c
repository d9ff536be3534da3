/* lines_mmap: map a file and count its lines with memchr.
 * Usage: lines_mmap PATH */
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  double t0 = bench_now();
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) bench_die("open");
  struct stat st;
  if (fstat(fd, &st) != 0) bench_die("fstat");
  size_t len = (size_t)st.st_size;
  char* p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) bench_die("mmap");
  close(fd);
  long long lines, bytes;
  bench_count_lines(p, len, &lines, &bytes);
  munmap(p, len);
  double t = bench_now() - t0;
  char check[64];
  snprintf(check, sizeof check, "%lld:%lld", lines, bytes);
  bench_result(t, check);
  return 0;
}
