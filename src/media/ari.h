/* ari: a small Asterisk REST Interface client (libcurl) for what AudioSocket cannot do itself:
 * move the caller's channel to a supervisor or a queue. Blocking: call it from a worker thread
 * (the media loop uses libuv's thread pool), never from the loop. Each call uses its own curl
 * handle, so one client may be used from several threads. */
#ifndef IKIIKI_MEDIA_ARI_H
#define IKIIKI_MEDIA_ARI_H

#include <stddef.h>

typedef struct ari_client ari_client;

/* base_url: "http://HOST:PORT" (the /ari prefix is added); user and password for HTTP basic
 * authentication (may be NULL). All strings are copied. NULL when the URL is not http(s) or out
 * of memory. */
ari_client *ari_client_new(const char *base_url, const char *user, const char *password);
void ari_client_free(ari_client *a);

/* POST /ari/channels/{channel}/redirect?endpoint=… : the channel leaves its current bridge or
 * application and is sent to endpoint (e.g. "PJSIP/supervisor"). */
int ari_redirect(ari_client *a, const char *channel, const char *endpoint, char *err,
                 size_t errlen);
/* POST /ari/channels/{channel}/continue?context=…&extension=…&priority=… : a channel in a Stasis
 * application goes back to the dialplan, e.g. to the queue's extension. */
int ari_continue(ari_client *a, const char *channel, const char *context, const char *extension,
                 int priority, char *err, size_t errlen);
/* DELETE /ari/channels/{channel}?reason=normal */
int ari_hangup(ari_client *a, const char *channel, char *err, size_t errlen);

#endif
