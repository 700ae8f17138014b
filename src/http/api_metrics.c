/* /metrics in the Prometheus text format: requests by status class, request latency, store
 * errors, and the call guard's active calls, events and dispatched actions. */
#include <stdio.h>

#include "core/buf.h"
#include "http_int.h"

/* Upper bounds of the latency buckets in seconds (the last bucket is +Inf). */
static const double lat_le[HTTP_LAT_BUCKETS - 1] = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,  0.1,    0.25,  1.0};

void http__metrics_count(struct http_server *srv, int status, uint64_t ns)
{
    struct http_metrics *m = &srv->metrics;
    int cls = status >= 100 && status < 600 ? status / 100 : 0;
    __atomic_add_fetch(&m->requests[cls], 1, __ATOMIC_RELAXED);
    double s = (double)ns / 1e9;
    int b = 0;
    while (b < HTTP_LAT_BUCKETS - 1 && s > lat_le[b])
        b++;
    __atomic_add_fetch(&m->lat_bucket[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->lat_count, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->lat_sum_us, ns / 1000, __ATOMIC_RELAXED);
}

static uint64_t get(uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int http_part(struct http_metrics *m, struct buf *b)
{
    int rc = buf_puts(b, "# HELP ikiiki_http_requests_total HTTP requests answered, by status "
                         "class.\n# TYPE ikiiki_http_requests_total counter\n");
    static const char *const cls[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 1; i <= 6 && rc == 0; i++)
        rc = buf_printf(b, "ikiiki_http_requests_total{code=\"%s\"} %llu\n", cls[i % 6],
                        (unsigned long long)get(&m->requests[i % 6]));
    rc = rc ? rc
            : buf_puts(b, "# HELP ikiiki_http_request_duration_seconds Time from a request's "
                          "first byte to its answer.\n# TYPE "
                          "ikiiki_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < HTTP_LAT_BUCKETS && rc == 0; i++) {
        cum += get(&m->lat_bucket[i]);
        if (i < HTTP_LAT_BUCKETS - 1)
            rc = buf_printf(b, "ikiiki_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            lat_le[i], (unsigned long long)cum);
        else
            rc = buf_printf(b, "ikiiki_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                            (unsigned long long)cum);
    }
    return rc ? rc
              : buf_printf(b,
                           "ikiiki_http_request_duration_seconds_sum %.6f\n"
                           "ikiiki_http_request_duration_seconds_count %llu\n"
                           "# HELP ikiiki_store_errors_total Requests that failed in the "
                           "database.\n# TYPE ikiiki_store_errors_total counter\n"
                           "ikiiki_store_errors_total %llu\n",
                           (double)get(&m->lat_sum_us) / 1e6,
                           (unsigned long long)get(&m->lat_count),
                           (unsigned long long)get(&m->store_errors));
}

static int guard_part(guard_engine *g, struct buf *b)
{
    struct guard_view all = {NULL, -1};
    json_t *j = g ? guard_calls_json(g, &all) : NULL;
    json_t *st = json_object_get(j, "stats");
    int rc = buf_printf(
        b,
        "# HELP ikiiki_guard_active_calls Calls the call guard follows now.\n"
        "# TYPE ikiiki_guard_active_calls gauge\nikiiki_guard_active_calls %lld\n"
        "# HELP ikiiki_guard_events_total Call events (utterances, starts, ends) received.\n"
        "# TYPE ikiiki_guard_events_total counter\nikiiki_guard_events_total %lld\n"
        "# HELP ikiiki_guard_actions_total Guard decisions carried out (notify, announce, "
        "end, transfer).\n"
        "# TYPE ikiiki_guard_actions_total counter\nikiiki_guard_actions_total %lld\n"
        "# HELP ikiiki_guard_action_p99_seconds 99th percentile from event to action, recent "
        "calls.\n"
        "# TYPE ikiiki_guard_action_p99_seconds gauge\nikiiki_guard_action_p99_seconds %.6f\n",
        (long long)json_integer_value(json_object_get(st, "active")),
        (long long)json_integer_value(json_object_get(st, "events")),
        (long long)json_integer_value(json_object_get(st, "actions_dispatched")),
        json_number_value(json_object_get(st, "action_p99_ms")) / 1000.0);
    json_decref(j);
    return rc;
}

int api_metrics(struct req *r)
{
    struct buf b;
    buf_init(&b, 0);
    if (http_part(&r->srv->metrics, &b) || guard_part(r->srv->guard, &b)) {
        buf_release(&b);
        http__reply_error(r, 500, "internal", "out of memory");
        return 500;
    }
    size_t len = b.len;
    free(r->out);
    r->out = buf_detach(&b);
    r->outlen = len;
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 200;
}
