/* The ARI client against a fake Asterisk REST server on loopback that records each request:
 * method, path with query, and basic authentication; a 404 answer becomes an error naming the
 * status. Then through a running media server: media_transfer on a live AudioSocket call sends
 * the redirect for that call's channel. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "media/ari.h"
#include "media/media.h"
#include "media_testutil.h"

struct fake_ari {
    int lfd;
    unsigned port;
    pthread_t th;
    int status;        /* what to answer */
    char reqs[8][512]; /* request line and Authorization of each request */
    int n;
    pthread_mutex_t mu;
};

static void *serve(void *arg)
{
    struct fake_ari *f = arg;
    for (;;) {
        int c = accept(f->lfd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[4096];
        size_t len = 0;
        while (len < sizeof buf - 1) {
            ssize_t k = recv(c, buf + len, sizeof buf - 1 - len, 0);
            if (k <= 0)
                break;
            len += (size_t)k;
            buf[len] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                break;
        }
        buf[len] = '\0';
        char *eol = strstr(buf, "\r\n");
        char *auth = strstr(buf, "Authorization: ");
        pthread_mutex_lock(&f->mu);
        if (eol && f->n < 8) {
            snprintf(f->reqs[f->n], sizeof f->reqs[0], "%.*s|%.*s", (int)(eol - buf), buf,
                     auth ? (int)strcspn(auth + 15, "\r") : 0, auth ? auth + 15 : "");
            f->n++;
        }
        int status = f->status;
        pthread_mutex_unlock(&f->mu);
        char resp[256];
        const char *body = status == 404 ? "{\"message\":\"Channel not found\"}" : "";
        snprintf(resp, sizeof resp,
                 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
                 strlen(body), body);
        mt_send_all(c, resp, strlen(resp));
        close(c);
    }
}

static void fake_start(struct fake_ari *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->status = 204;
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    getsockname(f->lfd, (struct sockaddr *)&sa, &sl);
    f->port = ntohs(sa.sin_port);
    listen(f->lfd, 8);
    pthread_create(&f->th, NULL, serve, f);
}

static void fake_stop(struct fake_ari *f)
{
    shutdown(f->lfd, SHUT_RDWR);
    close(f->lfd);
    pthread_join(f->th, NULL);
}

static void client_requests(void **state)
{
    (void)state;
    struct fake_ari f;
    fake_start(&f);
    char base[64], err[300];
    snprintf(base, sizeof base, "http://127.0.0.1:%u/", f.port);
    ari_client *a = ari_client_new(base, "ikiiki", "s3cret");
    assert_non_null(a);
    assert_int_equal(ari_redirect(a, "1700000000.42", "PJSIP/supervisor", err, sizeof err), 0);
    assert_int_equal(ari_continue(a, "chan 1", "queues", "support", 1, err, sizeof err), 0);
    assert_int_equal(ari_hangup(a, "1700000000.42", err, sizeof err), 0);
    f.status = 404;
    assert_int_equal(ari_redirect(a, "gone", "PJSIP/x", err, sizeof err), -1);
    assert_non_null(strstr(err, "status 404"));
    assert_non_null(strstr(err, "Channel not found"));
    ari_client_free(a);
    assert_null(ari_client_new("ftp://x", NULL, NULL));
    fake_stop(&f);
    /* "ikiiki:s3cret" in base64 */
    assert_int_equal(f.n, 4);
    assert_string_equal(f.reqs[0],
                        "POST /ari/channels/1700000000.42/redirect?endpoint=PJSIP%2Fsupervisor "
                        "HTTP/1.1|Basic aWtpaWtpOnMzY3JldA==");
    assert_string_equal(
        f.reqs[1],
        "POST /ari/channels/chan%201/continue?context=queues&extension=support&priority=1 "
        "HTTP/1.1|Basic aWtpaWtpOnMzY3JldA==");
    assert_string_equal(
        f.reqs[2],
        "DELETE /ari/channels/1700000000.42?reason=normal HTTP/1.1|Basic aWtpaWtpOnMzY3JldA==");
}

/* A live AudioSocket call transferred through the media server: the redirect goes out from the
 * loop's worker pool and the call's own id names the channel. */
static void transfer_a_live_call(void **state)
{
    (void)state;
    struct fake_ari f;
    fake_start(&f);
    char base[64], err[600];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", f.port);
    char dir[] = "/tmp/ikiiki-mari-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct media_config mc = {.audiosocket = "127.0.0.1:0",
                              .media_ws = "off",
                              .prompt_dir = dir,
                              .ari_url = base,
                              .ari_user = "u",
                              .ari_password = "p"};
    media_server *m = NULL;
    assert_int_equal(media_server_start(&mc, &m, err, sizeof err), 0);
    assert_int_equal(media_transfer(m, "not-live", "PJSIP/sv"), MEDIA_ENOTFOUND);
    int fd = mt_connect(media_server_port(m, 0));
    uint8_t uuid[19] = {0x01, 0x00, 0x10};
    for (int i = 0; i < 16; i++)
        uuid[3 + i] = (uint8_t)(0x10 + i);
    mt_send_all(fd, uuid, sizeof uuid);
    const char *id = "10111213-1415-1617-1819-1a1b1c1d1e1f";
    int rc = MEDIA_ENOTFOUND;
    for (int i = 0; i < 100 && rc == MEDIA_ENOTFOUND; i++) {
        usleep(10000);
        rc = media_transfer(m, id, "PJSIP/sv");
    }
    assert_int_equal(rc, 0);
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&f.mu);
        int n = f.n;
        pthread_mutex_unlock(&f.mu);
        if (n)
            break;
        usleep(10000);
    }
    close(fd);
    struct media_stats st;
    media_server_stop(m, &st);
    fake_stop(&f);
    assert_int_equal(f.n, 1);
    assert_string_equal(
        f.reqs[0],
        "POST /ari/channels/10111213-1415-1617-1819-1a1b1c1d1e1f/redirect?endpoint=PJSIP%2Fsv "
        "HTTP/1.1|Basic dTpw");
    assert_int_equal(st.calls_total, 1);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_requests),
        cmocka_unit_test(transfer_a_live_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
