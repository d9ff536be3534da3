/* shm_rw: write TOTAL bytes in 1 MiB chunks into a SEGMENT-byte shared
 * memory mapping (wrapping around), then read them back the same way into a
 * private buffer. Usage: shm_rw TOTAL SEGMENT */
#include <sys/mman.h>

#include "bench.h"

#define CHUNK (1024 * 1024)

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  long long total = atoll(argv[1]), seg = atoll(argv[2]);
  long long slots = seg / CHUNK, chunks = total / CHUNK, got = 0;
  char name[64];
  snprintf(name, sizeof name, "/ipcbench-c-%d-shm", (int)getpid());
  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) bench_die("shm_open");
  if (ftruncate(fd, seg) != 0) bench_die("ftruncate");
  char* map =
      mmap(NULL, (size_t)seg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) bench_die("mmap");
  close(fd);
  char* src = malloc(CHUNK);
  char* dst = malloc(CHUNK);
  if (!src || !dst) bench_die("malloc");
  memset(src, 'x', CHUNK);
  memset(dst, 0, CHUNK);
  double t0 = bench_now();
  for (long long i = 0; i < chunks; i++)
    memcpy(map + (i % slots) * CHUNK, src, CHUNK);
  for (long long i = 0; i < chunks; i++) {
    memcpy(dst, map + (i % slots) * CHUNK, CHUNK);
    bench_keep(dst);
    got += CHUNK;
  }
  double t = bench_now() - t0;
  munmap(map, (size_t)seg);
  shm_unlink(name);
  char check[32];
  snprintf(check, sizeof check, "%lld", got);
  bench_result(t, check);
  return 0;
}
