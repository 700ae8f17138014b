/* A fixed set of store connections shared by the worker threads. A SQLite or libpq handle must not
 * be used by two threads at once, so each request borrows one for its lifetime. */
#include <stdlib.h>

#include "http_int.h"

struct store_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    int nfree;
    store **all;
    store **free_list;
};

int http__pool_new(const char *url, int n, struct store_pool **out, char *err, size_t errlen)
{
    struct store_pool *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->all = calloc((size_t)n, sizeof *p->all);
    p->free_list = calloc((size_t)n, sizeof *p->free_list);
    if (!p->all || !p->free_list) {
        http__pool_free(p);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (store_open(url, &p->all[i], err, errlen)) {
            http__pool_free(p);
            return -1;
        }
        p->n++;
        p->free_list[p->nfree++] = p->all[i];
    }
    *out = p;
    return 0;
}

store *http__pool_acquire(struct store_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->cv, &p->mu);
    store *s = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return s;
}

void http__pool_release(struct store_pool *p, store *s)
{
    /* A request that failed mid-transaction must not hand an open one to the next. */
    store_rollback_all(s);
    pthread_mutex_lock(&p->mu);
    p->free_list[p->nfree++] = s;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void http__pool_free(struct store_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        store_free(p->all[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->all);
    free(p->free_list);
    free(p);
}
