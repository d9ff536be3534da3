/* filelock_cycles: N exclusive open-file-description lock/unlock pairs on
 * one file. Usage: filelock_cycles N PATH */
#include "bench.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  long long n = atoll(argv[1]), done = 0;
  int fd = open(argv[2], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) bench_die("open");
  double t0 = bench_now();
  for (long long i = 0; i < n; i++) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    while (fcntl(fd, F_OFD_SETLKW, &fl) != 0)
      if (errno != EINTR) bench_die("F_OFD_SETLKW");
    fl.l_type = F_UNLCK;
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) bench_die("F_OFD_SETLK");
    done++;
  }
  double t = bench_now() - t0;
  close(fd);
  char check[32];
  snprintf(check, sizeof check, "%lld", done);
  bench_result(t, check);
  return 0;
}
