/* Helpers shared by the media transport tests: the real server's media ports, Japanese speech
 * and prompts made with espeak-ng and sox, blocking loopback sockets and a paced clock. The
 * clients that speak the protocols are in each test, written from the specifications. */
#ifndef IKIIKI_MEDIA_TESTUTIL_H
#define IKIIKI_MEDIA_TESTUTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media/audio.h"
#include "testutil.h"

/* The port the server logged for "audiosocket" or "websocket"; 0 when not found. */
static inline unsigned mt_port(const struct tu_server *srv, const char *what)
{
    char pat[64], line[512];
    snprintf(pat, sizeof pat, "media: %s listening on port ", what);
    FILE *f = fopen(srv->errlog, "r");
    unsigned port = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, pat))
            port = (unsigned)strtol(strstr(line, pat) + strlen(pat), NULL, 10);
    if (f)
        fclose(f);
    return port;
}

/* 1 when the server's log holds text. */
static inline int mt_log_has(const struct tu_server *srv, const char *text)
{
    FILE *f = fopen(srv->errlog, "r");
    if (!f)
        return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

static inline int mt_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static inline int mt_send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static inline uint64_t mt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void mt_sleep_until(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static inline int mt_sh(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "media test: \"%s\" failed (%d)\n", cmd, rc);
    return rc;
}

/* Japanese speech by espeak-ng as 8 kHz mono s16 samples (malloc'd). effects are sox effects,
 * e.g. "gain -n -20" (calm, quiet) or "pitch 500 gain -n -1" (high and loud). */
static inline int16_t *mt_speech(const char *dir, const char *name, const char *kana,
                                 const char *effects, size_t *n)
{
    char cmd[2048], wav[512], raw[512];
    snprintf(wav, sizeof wav, "%s/%s.wav", dir, name);
    snprintf(raw, sizeof raw, "%s/%s.raw", dir, name);
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v ja -s 150 -w '%s' '%s' && sox -V1 '%s' -r 8000 -c 1 -b 16 -e "
             "signed-integer -t raw '%s' %s",
             wav, kana, wav, raw, effects);
    if (mt_sh(cmd))
        return NULL;
    FILE *f = fopen(raw, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *pcm = malloc((size_t)len + 2);
    *n = fread(pcm, 2, (size_t)len / 2, f);
    fclose(f);
    return pcm;
}

/* Short announcement prompts in dir through the project's own scripts/make-prompts.sh. */
static inline int mt_prompts(const char *dir)
{
    char tsv[512], cmd[1024];
    snprintf(tsv, sizeof tsv, "%s/prompts.tsv", dir);
    FILE *f = fopen(tsv, "w");
    if (!f)
        return -1;
    fputs("recording_notice\t録音します\tろくおんします\n"
          "voicebot_menu\t番号を押してください\tばんごうを、おしてください\n"
          "warning1\t大きな声はお控えください\tおおきなこえは、おひかえください\n"
          "final_warning\t終了します\tしゅうりょうします\n"
          "closing\t通話を終了します\tつうわを、しゅうりょうします\n",
          f);
    fclose(f);
    const char *data = getenv("IKIIKI_TEST_DATA");
    snprintf(cmd, sizeof cmd, "'%s/../../scripts/make-prompts.sh' '%s' >/dev/null",
             data ? data : "tests/data", dir);
    return mt_sh(cmd);
}

/* A prompt as the server plays it: 8 kHz, padded with zeros to whole 20 ms frames. */
static inline int16_t *mt_prompt_frames(const char *dir, const char *name, size_t *n)
{
    char path[512], err[300];
    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    int16_t *pcm = NULL;
    size_t k = 0;
    if (media_wav_load(path, 8000, 0, &pcm, &k, NULL, err, sizeof err)) {
        fprintf(stderr, "media test: %s\n", err);
        return NULL;
    }
    size_t padded = (k + 159) / 160 * 160;
    pcm = realloc(pcm, padded * sizeof *pcm);
    memset(pcm + k, 0, (padded - k) * sizeof *pcm);
    *n = padded;
    return pcm;
}

/* Index of needle (m samples) in hay (n samples), or -1. */
static inline long mt_find(const int16_t *hay, size_t n, const int16_t *needle, size_t m)
{
    for (size_t i = 0; m <= n && i + m <= n; i += 160)
        if (memcmp(hay + i, needle, m * sizeof *hay) == 0)
            return (long)i;
    return -1;
}

#endif
