/* notify: what the call guard ships besides the engine — the log-only action adapter, the
 * webhook notifier (JSON POST with retries for chat tools) and the event bus that carries alerts
 * and state changes to the dashboards of this server and, over the store's notify/listen, of
 * every other server sharing the PostgreSQL database. */
#ifndef IKIIKI_GUARD_NOTIFY_H
#define IKIIKI_GUARD_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "guard/guard.h"

/* The log-only adapter: every action becomes one log line (the front door's log). For servers
 * without a telephony side, and to see what the guard would do. */
struct guard_actions guard_log_actions(void);

/* The webhook: alerts are POSTed as JSON to url from a thread of its own, with up to retries
 * further attempts (0.5 s, 1 s, 2 s … apart) on a connection error or a non-2xx status. The
 * engine's thread only queues. */
typedef struct guard_webhook guard_webhook;
int guard_webhook_new(const char *url, int retries, guard_webhook **out, char *err, size_t errlen);
/* Sends what is queued (each with its retries, at most about 10 s in all), then frees. */
void guard_webhook_free(guard_webhook *w);
/* An adapter whose notify queues the alert for the webhook; ud is w. */
struct guard_actions guard_webhook_actions(guard_webhook *w);
struct guard_webhook_stats {
    int64_t queued, delivered, failed, attempts;
};
void guard_webhook_stats(guard_webhook *w, struct guard_webhook_stats *out);

/* The bus. local(ud, center, kind, json) is called for every event published here and, with a
 * PostgreSQL store, for those published by other servers; strings are borrowed for the call. */
typedef void (*guard_bus_fn)(void *ud, const char *center, const char *kind, const char *json);
typedef struct guard_bus guard_bus;
/* db_url NULL or SQLite: local only. */
int guard_bus_new(const char *db_url, guard_bus_fn local, void *ud, guard_bus **out, char *err,
                  size_t errlen);
void guard_bus_free(guard_bus *b);
/* A notifier for guard_config: publishes to the bus. */
struct guard_notifier guard_bus_notifier(guard_bus *b);
/* 1 when events travel between servers. */
int guard_bus_shared(const guard_bus *b);

#endif
