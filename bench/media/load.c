/* bench/media load client: N simulated callers on the AudioSocket, each streaming real speech at
 * 20 ms pacing over loopback, reading what the server sends back. Prints per-second send lag of
 * this client (so a slow client is not blamed on the server), frames received and, given the
 * server's pid, its CPU and memory growth per call from /proc.
 * Usage: load PORT N SECONDS SPEECH.raw SERVER_PID */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* utime+stime in clock ticks and VmRSS in kB of pid. */
static void proc_usage(int pid, double *cpu_s, long *rss_kb)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    if (f && fgets(buf, sizeof buf, f)) {
        char *p = strrchr(buf, ')');
        /* fields after the command: state is 3rd; utime 14th, stime 15th */
        int field = 2;
        for (char *t = p + 2; t && *t; t = strchr(t, ' ')) {
            if (*t == ' ')
                t++;
            field++;
            if (field == 14)
                ut = strtoul(t, NULL, 10);
            if (field == 15) {
                st = strtoul(t, NULL, 10);
                break;
            }
        }
    }
    if (f)
        fclose(f);
    *cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = fopen(path, "r");
    *rss_kb = 0;
    while (f && fgets(buf, sizeof buf, f))
        if (strncmp(buf, "VmRSS:", 6) == 0)
            *rss_kb = atol(buf + 6);
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: load PORT N SECONDS SPEECH.raw SERVER_PID\n");
        return 2;
    }
    int port = (int)strtol(argv[1], NULL, 10), n = (int)strtol(argv[2], NULL, 10),
        secs = (int)strtol(argv[3], NULL, 10), pid = (int)strtol(argv[5], NULL, 10);
    FILE *f = fopen(argv[4], "rb");
    if (!f)
        return 1;
    static int16_t speech[8000 * 60];
    size_t ns = fread(speech, 2, sizeof speech / 2, f);
    fclose(f);
    if (ns < 1600)
        return 1;
    double cpu0;
    long rss0;
    proc_usage(pid, &cpu0, &rss0);
    int *fd = calloc((size_t)n, sizeof *fd);
    long *rx = calloc((size_t)n, sizeof *rx);
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd[i], (struct sockaddr *)&sa, sizeof sa) < 0) {
            fprintf(stderr, "load: connect %d: %s\n", i, strerror(errno));
            return 1;
        }
        int one = 1;
        setsockopt(fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        uint8_t u[19] = {0x01, 0, 16};
        for (int k = 0; k < 16; k++)
            u[3 + k] = (uint8_t)((i >> (k % 4 * 8)) ^ (k * 29));
        u[3 + 6] = 0x40 | (u[3 + 6] & 0x0f);
        u[3 + 15] = (uint8_t)i; /* distinct per caller */
        u[3 + 14] = (uint8_t)(i >> 8);
        if (write(fd[i], u, sizeof u) != (ssize_t)sizeof u)
            return 1;
        fcntl(fd[i], F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev);
    }
    uint64_t t0 = now_ns(), worst_send_ns = 0;
    long ticks = secs * 50, short_writes = 0;
    uint8_t frame[323] = {0x10, 0x01, 0x40}, buf[65536];
    struct epoll_event evs[256];
    for (long t = 0; t < ticks; t++) {
        uint64_t due = t0 + (uint64_t)t * 20000000u;
        uint64_t late = now_ns() > due ? now_ns() - due : 0;
        if (late > worst_send_ns && t > 0)
            worst_send_ns = late;
        for (int i = 0; i < n; i++) {
            size_t off = ((size_t)t * 160 + (size_t)i * 997) % (ns - 160);
            for (int k = 0; k < 160; k++) {
                frame[3 + 2 * k] = (uint8_t)speech[off + k];
                frame[4 + 2 * k] = (uint8_t)((uint16_t)speech[off + k] >> 8);
            }
            if (write(fd[i], frame, sizeof frame) != (ssize_t)sizeof frame)
                short_writes++;
        }
        /* Drain replies until the next tick. */
        for (;;) {
            int64_t wait = (int64_t)(due + 20000000u) - (int64_t)now_ns();
            if (wait <= 0)
                break;
            int k = epoll_wait(ep, evs, 256, (int)(wait / 1000000) + 1);
            for (int e = 0; e < k; e++) {
                int i = (int)evs[e].data.u32;
                ssize_t r;
                while ((r = read(fd[i], buf, sizeof buf)) > 0)
                    rx[i] += r;
            }
        }
    }
    double cpu1;
    long rss1;
    proc_usage(pid, &cpu1, &rss1);
    double wall = (double)(now_ns() - t0) / 1e9;
    long total = 0, starved = 0;
    for (int i = 0; i < n; i++) {
        total += rx[i];
        /* 50 frames of 323 bytes a second come back (silence or announcements) */
        if (rx[i] < (long)(0.9 * 50 * 323 * secs))
            starved++;
    }
    printf("calls %d seconds %.1f client_worst_send_lag_ms %.2f short_writes %ld "
           "rx_frames_per_call_per_s %.1f calls_below_90pct_rx %ld server_cpu_pct %.1f "
           "server_cpu_ms_per_call_s %.3f server_rss_kb_per_call %.1f\n",
           n, wall, (double)worst_send_ns / 1e6, short_writes, (double)total / 323.0 / n / wall,
           starved, 100.0 * (cpu1 - cpu0) / wall, 1000.0 * (cpu1 - cpu0) / wall / n,
           (double)(rss1 - rss0) / n);
    for (int i = 0; i < n; i++)
        close(fd[i]);
    return 0;
}
