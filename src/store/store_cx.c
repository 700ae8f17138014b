/* Persistence of the customer-contact self-diagnosis. */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "store_int.h"

int store_cx_answer_add(store *s, int64_t company_id, struct cx_answer *a)
{
    struct store_arg args[] = {ARG_INT(company_id),     ARG_TEXT(a->round),
                               ARG_TEXT(a->respondent), ARG_INT(a->taken_at),
                               ARG_INT(a->levels[0]),   ARG_INT(a->levels[1]),
                               ARG_INT(a->levels[2]),   ARG_INT(a->levels[3])};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO cx_answers (company_id, round, respondent, taken_at,"
                              " level_understanding, level_experience, level_improvement,"
                              " level_organisation) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              args, 8, &id);
    if (rc == STORE_OK)
        a->id = id;
    return rc;
}

struct answers {
    struct cx_answer *arr;
    size_t n, cap;
    int oom;
};

static int row_answer(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct answers *c = ud;
    struct cx_answer *a = store__push((void **)&c->arr, &c->n, &c->cap, sizeof *a);
    if (!a) {
        c->oom = 1;
        return 1;
    }
    a->id = store__atoi(v[0]);
    store__copy(a->round, sizeof a->round, v[1]);
    store__copy(a->respondent, sizeof a->respondent, v[2]);
    a->taken_at = store__atoi(v[3]);
    for (int k = 0; k < CX_AREAS; k++)
        a->levels[k] = (int)store__atoi(v[4 + k]);
    return 0;
}

int store_cx_answers(store *s, int64_t company_id, struct cx_answer **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(company_id), ARG_INT(company_id)};
    struct answers c = {0};
    int rc = store__query(s,
                          "SELECT a.id, a.round, a.respondent, a.taken_at, a.level_understanding,"
                          " a.level_experience, a.level_improvement, a.level_organisation"
                          " FROM cx_answers a JOIN (SELECT round, MIN(taken_at) AS began"
                          "  FROM cx_answers WHERE company_id = ? GROUP BY round) r"
                          "  ON r.round = a.round"
                          " WHERE a.company_id = ?"
                          " ORDER BY r.began, a.round, a.taken_at, a.id",
                          args, 2, row_answer, &c);
    if (rc == STORE_OK && c.oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc) {
        free(c.arr);
        return rc;
    }
    *out = c.arr;
    *n = c.n;
    return STORE_OK;
}

int store_cx_checkpoint_add(store *s, int64_t company_id, const char *code, double value,
                            int64_t at)
{
    /* Text keeps the value exact on both backends; both cast it to their float type. */
    char num[48];
    snprintf(num, sizeof num, "%.17g", value);
    struct store_arg args[] = {
        ARG_INT(company_id), ARG_TEXT(code), {.type = SA_TEXT, .s = num}, ARG_INT(at)};
    return store__exec_args(s,
                            "INSERT INTO cx_checkpoints (company_id, code, value, at)"
                            " VALUES (?, ?, CAST(? AS DOUBLE PRECISION), ?)",
                            args, 4, NULL);
}

struct checkpoints {
    struct store_cx_checkpoint *arr;
    size_t n, cap;
    int oom;
};

static int row_checkpoint(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct checkpoints *c = ud;
    struct store_cx_checkpoint *p = store__push((void **)&c->arr, &c->n, &c->cap, sizeof *p);
    if (!p) {
        c->oom = 1;
        return 1;
    }
    store__copy(p->code, sizeof p->code, v[0]);
    p->value = v[1] ? strtod(v[1], NULL) : 0;
    p->at = store__atoi(v[2]);
    return 0;
}

int store_cx_checkpoints(store *s, int64_t company_id, struct store_cx_checkpoint **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(company_id)};
    struct checkpoints c = {0};
    int rc = store__query(s,
                          "SELECT code, value, at FROM cx_checkpoints WHERE company_id = ?"
                          " ORDER BY code, at, id",
                          args, 1, row_checkpoint, &c);
    if (rc == STORE_OK && c.oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc) {
        free(c.arr);
        return rc;
    }
    *out = c.arr;
    *n = c.n;
    return STORE_OK;
}
