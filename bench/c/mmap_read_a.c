/* mmap_read_a: read a whole file into one freshly allocated buffer.
 * Usage: mmap_read_a PATH */
#include <sys/stat.h>

#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  double t0 = bench_now();
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) bench_die("open");
  struct stat st;
  if (fstat(fd, &st) != 0) bench_die("fstat");
  size_t len = (size_t)st.st_size, got = 0;
  char* buf = malloc(len + 1);
  if (!buf) bench_die("malloc");
  while (got < len) {
    ssize_t r = read(fd, buf + got, len - got);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      bench_die("read");
    }
    got += (size_t)r;
  }
  close(fd);
  bench_keep(buf);
  double t = bench_now() - t0;
  char check[32];
  snprintf(check, sizeof check, "%zu", got);
  bench_result(t, check);
  free(buf);
  return 0;
}
