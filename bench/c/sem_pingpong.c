/* sem_pingpong: two processes bounce N round trips over two named
 * semaphores. Usage: sem_pingpong N */
#include <semaphore.h>

#include "bench.h"

static void wait_sem(sem_t* s) {
  while (sem_wait(s) != 0)
    if (errno != EINTR) bench_die("sem_wait");
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  long long n = atoll(argv[1]);
  char ping_name[64], pong_name[64];
  snprintf(ping_name, sizeof ping_name, "/ipcbench-c-%d-ping", (int)getpid());
  snprintf(pong_name, sizeof pong_name, "/ipcbench-c-%d-pong", (int)getpid());
  sem_t* ping = sem_open(ping_name, O_CREAT | O_EXCL, 0600, 0);
  sem_t* pong = sem_open(pong_name, O_CREAT | O_EXCL, 0600, 0);
  if (ping == SEM_FAILED || pong == SEM_FAILED) bench_die("sem_open");
  pid_t pid = fork();
  if (pid < 0) bench_die("fork");
  if (pid == 0) {
    /* One extra round trip: the handshake before the clock starts. */
    for (long long i = 0; i <= n; i++) {
      wait_sem(ping);
      sem_post(pong);
    }
    _exit(0);
  }
  sem_post(ping);
  wait_sem(pong);
  double t0 = bench_now();
  for (long long i = 0; i < n; i++) {
    sem_post(ping);
    wait_sem(pong);
  }
  double t = bench_now() - t0;
  bench_reap(pid);
  sem_unlink(ping_name);
  sem_unlink(pong_name);
  char check[32];
  snprintf(check, sizeof check, "%lld", n);
  bench_result(t, check);
  return 0;
}
