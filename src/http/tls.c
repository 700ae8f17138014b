/* HTTPS of the server's own (libmicrohttpd over GnuTLS). The certificate is handed out by a
 * callback rather than given once at start, so that SIGHUP can swap in a renewed one while
 * connections stay up. gnutls calls the callback with no user pointer, hence one process-wide
 * slot: a process runs one HTTP server. Replaced certificates stay allocated until the server
 * stops, because a handshake begun just before a swap may still read them; a renewal every few
 * weeks costs a few kilobytes. */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "http_int.h"

#define TLS_MAX_CHAIN 8

struct tls_creds {
    gnutls_pcert_st pcert[TLS_MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    struct tls_creds *older;
};

static pthread_mutex_t tls_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tls_creds *tls_current;

static void creds_free(struct tls_creds *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n; i++)
        gnutls_pcert_deinit(&c->pcert[i]);
    if (c->key)
        gnutls_privkey_deinit(c->key);
    free(c);
}

/* The key must fit the certificate: gnutls checks the pair when it is set on credentials. */
static int pair_check(const char *cert, const char *key, char *err, size_t errlen)
{
    gnutls_certificate_credentials_t cc;
    if (gnutls_certificate_allocate_credentials(&cc) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = gnutls_certificate_set_x509_key_file(cc, cert, key, GNUTLS_X509_FMT_PEM);
    gnutls_certificate_free_credentials(cc);
    if (rc < 0) {
        snprintf(err, errlen, "--tls-cert \"%s\", --tls-key \"%s\": %s", cert, key,
                 gnutls_strerror(rc));
        return -1;
    }
    return 0;
}

static int creds_load(const char *cert, const char *key, struct tls_creds **out, char *err,
                      size_t errlen)
{
    if (pair_check(cert, key, err, errlen))
        return -1;
    struct tls_creds *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->n = TLS_MAX_CHAIN;
    int rc = gnutls_pcert_list_import_x509_file(c->pcert, &c->n, cert, GNUTLS_X509_FMT_PEM, NULL,
                                                NULL, 0);
    if (rc < 0) {
        c->n = 0;
        creds_free(c);
        snprintf(err, errlen, "--tls-cert \"%s\": %s", cert, gnutls_strerror(rc));
        return -1;
    }
    gnutls_datum_t kd = {NULL, 0};
    rc = gnutls_load_file(key, &kd);
    if (rc >= 0)
        rc = gnutls_privkey_init(&c->key);
    if (rc >= 0)
        rc = gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_free(kd.data);
    if (rc < 0) {
        creds_free(c);
        snprintf(err, errlen, "--tls-key \"%s\": %s", key, gnutls_strerror(rc));
        return -1;
    }
    *out = c;
    return 0;
}

int http__tls_load(const char *cert, const char *key, char *err, size_t errlen)
{
    struct tls_creds *c;
    if (creds_load(cert, key, &c, err, errlen))
        return -1;
    pthread_mutex_lock(&tls_mu);
    c->older = tls_current;
    tls_current = c;
    pthread_mutex_unlock(&tls_mu);
    return 0;
}

void http__tls_release(void)
{
    pthread_mutex_lock(&tls_mu);
    struct tls_creds *c = tls_current;
    tls_current = NULL;
    pthread_mutex_unlock(&tls_mu);
    while (c) {
        struct tls_creds *older = c->older;
        creds_free(c);
        c = older;
    }
}

int http__tls_cert_cb(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                      gnutls_pcert_st **pcert, unsigned int *pcert_length,
                      gnutls_privkey_t *privkey)
{
    (void)session;
    (void)req_ca_dn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    pthread_mutex_lock(&tls_mu);
    struct tls_creds *c = tls_current;
    pthread_mutex_unlock(&tls_mu);
    if (!c)
        return -1;
    *pcert = c->pcert;
    *pcert_length = c->n;
    *privkey = c->key;
    return 0;
}
