/* The dashboard side of bench/guard/calls.sh: one SSE client on GET /api/v1/events (libcurl,
 * which undoes the chunked framing), in a process of its own so that reading the stream never
 * waits behind the load generator. For every alert of a call's first detection it prints
 * "CALL_ID RECEIVED_NS" (CLOCK_MONOTONIC, the clock Python's time.monotonic reads on Linux); it
 * prints "ready" once the hello event is in. Runs until MAX_S seconds pass or the stream ends.
 *
 *   sse_client URL COOKIE MAX_S */
#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sse {
    char *buf;
    size_t len, cap;
    long alerts, first;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One complete event (text up to the blank line). */
static void event(struct sse *s, char *ev, uint64_t at)
{
    const char *kind = "message";
    char *data = NULL;
    for (char *line = ev, *nl; line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        if (strncmp(line, "event: ", 7) == 0)
            kind = line + 7;
        else if (strncmp(line, "data: ", 6) == 0)
            data = line + 6;
    }
    if (strcmp(kind, "hello") == 0) {
        printf("ready\n");
        fflush(stdout);
        return;
    }
    if (strcmp(kind, "alert") != 0 || !data)
        return;
    s->alerts++;
    json_t *a = json_loads(data, 0, NULL);
    if (a && json_integer_value(json_object_get(a, "detection")) == 1 &&
        json_is_string(json_object_get(a, "call"))) {
        s->first++;
        printf("%s %llu\n", json_string_value(json_object_get(a, "call")), (unsigned long long)at);
    }
    json_decref(a);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sse *s = ud;
    uint64_t at = mono_ns();
    size_t len = size * n;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->len + len + 1) * 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return 0;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    s->buf[s->len] = '\0';
    char *start = s->buf, *end;
    while ((end = strstr(start, "\n\n"))) {
        *end = '\0';
        event(s, start, at);
        start = end + 2;
    }
    s->len -= (size_t)(start - s->buf);
    memmove(s->buf, start, s->len + 1);
    fflush(stdout);
    return len;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sse_client URL COOKIE MAX_S\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    struct sse s = {0};
    curl_easy_setopt(c, CURLOPT_URL, argv[1]);
    curl_easy_setopt(c, CURLOPT_COOKIE, argv[2]);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, atol(argv[3]));
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    CURLcode rc = curl_easy_perform(c);
    fprintf(stderr, "sse_client: %ld alerts, %ld first detections (%s)\n", s.alerts, s.first,
            curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    curl_global_cleanup();
    free(s.buf);
    return 0;
}
