/* 顧客接点力診断 over HTTP: the sheet, a diagnosis, and a company's history and checkpoints.
 * A company's history is for its admin, its consultants and the managers of its centers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "svc/svc_cx.h"

int api_cx_sheet(struct req *r)
{
    http__reply_json(r, 200, cx_sheet_json(r->srv->cx));
    return 200;
}

int api_cx_check(struct req *r)
{
    struct cx_input in;
    char err[300];
    if (http_decode_cx(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    struct cx_result res;
    cx_diagnose(r->srv->cx, in.levels, &res);
    http__reply_json(r, 200, cx_result_json(r->srv->cx, &res));
    return 200;
}

static struct svc *ctx(struct req *r, struct svc *x)
{
    svc_init(x, http__db(r), &r->who, r->addr);
    return x;
}

/* Loads the company of the path and checks that the caller reaches it. */
static int load_company(struct req *r, struct org_company *co)
{
    struct svc x;
    int rc = svc_cx_company(ctx(r, &x), r->params[0], co);
    if (rc == IK_EACCES) {
        http__reply_error(r, 403, "forbidden", "your role may not see company \"%s\"",
                          r->params[0]);
        return 403;
    }
    if (rc && x.failed && strcmp(x.failed, "center") == 0)
        return http__store_error(r, rc, "center");
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "company \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    return 0;
}

int api_cx_answer(struct req *r)
{
    struct org_company co;
    struct cx_input in;
    char err[300];
    int rc = load_company(r, &co);
    if (rc)
        return rc;
    if (http_decode_cx(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    struct cx_answer a = {.taken_at = now_unix()};
    memcpy(a.levels, in.levels, sizeof a.levels);
    if (in.round[0]) {
        str_copy(a.round, sizeof a.round, in.round);
    } else {
        time_t t = (time_t)a.taken_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(a.round, sizeof a.round, "%Y-%m", &tm);
    }
    str_copy(a.respondent, sizeof a.respondent, in.respondent[0] ? in.respondent : r->who.login);
    struct svc x;
    if ((rc = svc_cx_answer_add(ctx(r, &x), &co, &a)))
        return http__store_error(r, rc, "answer");
    struct cx_result res;
    cx_diagnose(r->srv->cx, a.levels, &res);
    json_t *j = cx_result_json(r->srv->cx, &res);
    json_object_set_new(j, "round", json_string(a.round));
    http__reply_json(r, 201, j);
    return 201;
}

int api_cx_history(struct req *r)
{
    struct org_company co;
    int rc = load_company(r, &co);
    if (rc)
        return rc;
    struct cx_answer *a = NULL;
    struct store_cx_checkpoint *cp = NULL;
    size_t n = 0, ncp = 0;
    struct svc x;
    if ((rc = svc_cx_history(ctx(r, &x), &co, &a, &n, &cp, &ncp)))
        return http__store_error(r, rc, "history");
    json_t *j = cx_history_json(r->srv->cx, a, n);
    json_t *cps = json_array();
    for (size_t i = 0; i < ncp; i++) {
        char at[32];
        time_iso8601(cp[i].at, at, sizeof at);
        json_array_append_new(
            cps, json_pack("{s:s, s:f, s:s}", "code", cp[i].code, "value", cp[i].value, "at", at));
    }
    json_object_set_new(j, "company", json_string(co.code));
    json_object_set_new(j, "checkpoints", cps);
    free(a);
    free(cp);
    http__reply_json(r, 200, j);
    return 200;
}

int api_cx_checkpoint(struct req *r)
{
    struct org_company co;
    struct cx_checkpoint_input in;
    char err[300];
    int rc = load_company(r, &co);
    if (rc)
        return rc;
    if (http_decode_cx_checkpoint(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    if (!cx_checkpoint_known(r->srv->cx, in.code)) {
        http__reply_error(r, 400, "bad_request",
                          "code: \"%s\" is not one of the sheet's checkpoints", in.code);
        return 400;
    }
    int64_t at = now_unix();
    if (in.at[0]) {
        struct tm tm = {0};
        const char *rest = strptime(in.at, "%Y-%m-%d", &tm);
        if (!rest || *rest) {
            http__reply_error(r, 400, "bad_request", "at: \"%s\" is not a date YYYY-MM-DD", in.at);
            return 400;
        }
        at = (int64_t)timegm(&tm);
    }
    struct svc x;
    if ((rc = svc_cx_checkpoint_add(ctx(r, &x), &co, in.code, in.value, at)))
        return http__store_error(r, rc, "checkpoint");
    http__reply_json(
        r, 201,
        json_pack("{s:s, s:s, s:f}", "company", co.code, "code", in.code, "value", in.value));
    return 201;
}
