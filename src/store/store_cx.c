/* Persistence of the customer-contact self-diagnosis. */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_cx.h"

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

static void decode_answer(void *rec, const char *const *v)
{
    struct cx_answer *a = rec;
    a->id = store__atoi(v[0]);
    store__copy(a->round, sizeof a->round, v[1]);
    store__copy(a->respondent, sizeof a->respondent, v[2]);
    a->taken_at = store__atoi(v[3]);
    for (int k = 0; k < CX_AREAS; k++)
        a->levels[k] = (int)store__atoi(v[4 + k]);
}

int store_cx_answers(store *s, int64_t company_id, struct cx_answer **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(company_id), ARG_INT(company_id)};
    return store__list(s,
                       "SELECT a.id, a.round, a.respondent, a.taken_at, a.level_understanding,"
                       " a.level_experience, a.level_improvement, a.level_organisation"
                       " FROM cx_answers a JOIN (SELECT round, MIN(taken_at) AS began"
                       "  FROM cx_answers WHERE company_id = ? GROUP BY round) r"
                       "  ON r.round = a.round"
                       " WHERE a.company_id = ?"
                       " ORDER BY r.began, a.round, a.taken_at, a.id",
                       args, 2, sizeof **out, decode_answer, (void **)out, n);
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

static void decode_checkpoint(void *rec, const char *const *v)
{
    struct store_cx_checkpoint *p = rec;
    store__copy(p->code, sizeof p->code, v[0]);
    p->value = v[1] ? strtod(v[1], NULL) : 0;
    p->at = store__atoi(v[2]);
}

int store_cx_checkpoints(store *s, int64_t company_id, struct store_cx_checkpoint **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(company_id)};
    return store__list(s,
                       "SELECT code, value, at FROM cx_checkpoints WHERE company_id = ?"
                       " ORDER BY code, at, id",
                       args, 1, sizeof **out, decode_checkpoint, (void **)out, n);
}
