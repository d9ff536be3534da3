/* The poll() loop shared by the C baselines that push bytes through `cat`:
 * writes `total` bytes in `chunk`-byte writes, never more than `window`
 * bytes written but not yet read back, and reads everything back. */
#ifndef PIPE_IO_H
#define PIPE_IO_H

#include "bench.h"

#include <poll.h>

static inline long long pipe_through_cat(long long total, size_t chunk,
                                         long long window) {
  static char out[65536];
  char* src = malloc(chunk);
  if (!src) bench_die("malloc");
  memset(src, 'x', chunk);
  int in[2], outp[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0)
    bench_die("pipe2");
  pid_t pid = bench_spawn_sh("cat", in[0], outp[1]);
  close(in[0]);
  close(outp[1]);
  int wfd = in[1], rfd = outp[0];
  if (fcntl(wfd, F_SETFL, O_NONBLOCK) != 0) bench_die("fcntl");
  long long sent = 0, got = 0;
  size_t part = 0; /* bytes of the current chunk already written */
  while (rfd >= 0) {
    struct pollfd fds[2];
    int nfds = 0;
    int want_write = wfd >= 0 && sent < total &&
                     (part > 0 || sent - got + (long long)chunk <= window);
    if (want_write) fds[nfds++] = (struct pollfd){wfd, POLLOUT, 0};
    fds[nfds++] = (struct pollfd){rfd, POLLIN, 0};
    if (poll(fds, (nfds_t)nfds, -1) < 0) {
      if (errno == EINTR) continue;
      bench_die("poll");
    }
    if (want_write && fds[0].revents) {
      ssize_t w = write(wfd, src + part, chunk - part);
      if (w < 0 && errno != EAGAIN && errno != EINTR) bench_die("write");
      if (w > 0) {
        part += (size_t)w;
        sent += w;
        if (part == chunk) part = 0;
      }
      if (sent == total) {
        close(wfd);
        wfd = -1;
      }
    }
    if (fds[nfds - 1].revents) {
      ssize_t r = read(rfd, out, sizeof out);
      if (r < 0 && errno != EINTR) bench_die("read");
      if (r == 0) {
        close(rfd);
        rfd = -1;
      }
      if (r > 0) got += r;
    }
  }
  bench_reap(pid);
  free(src);
  return got;
}

#endif
