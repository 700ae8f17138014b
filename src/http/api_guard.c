/* 通話ガード over HTTP: the events a phone system or speech recogniser posts for a call (API key
 * with scope calls), the live calls and their timelines, a supervisor's actions, and the SSE
 * stream of alerts and state changes. Supervisors and center managers see their own center's
 * calls, consultants their client companies' centers, admins and API keys every center. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "decode.h"
#include "decode_guard.h"
#include "guard/block.h"
#include "http_int.h"
#include "store/store_guard.h"
#include "store/store_org.h"

#define VIEW_MAX 256 /* centers one viewer's filter holds */

struct viewer {
    char codes[VIEW_MAX][ORG_CODE_MAX];
    const char *ptrs[VIEW_MAX];
    struct guard_view view;
};

static int no_guard(struct req *r)
{
    if (r->srv->guard)
        return 0;
    http__reply_error(r, 503, "unavailable", "the call guard is not running on this server");
    return 503;
}

/* The centers the principal may watch. */
static int viewer_of(struct req *r, struct viewer *v)
{
    v->view.centers = v->ptrs;
    v->view.ncenters = 0;
    enum org_reach reach = org_call_reach(&r->who);
    if (reach == ORG_REACH_ALL) {
        v->view.ncenters = -1;
        return 0;
    }
    if (reach == ORG_REACH_COMPANIES) {
        struct org_center *all = NULL;
        size_t n = 0;
        int rc = store_center_list(http__db(r), r->who.companies, r->who.ncompanies, &all, &n);
        if (rc)
            return http__store_error(r, rc, "centers");
        for (size_t i = 0; i < n && i < VIEW_MAX; i++) {
            str_copy(v->codes[i], ORG_CODE_MAX, all[i].code);
            v->ptrs[i] = v->codes[i];
            v->view.ncenters++;
        }
        free(all);
        return 0;
    }
    if (r->who.center_id) {
        struct org_center c;
        int rc = store_center_get_id(http__db(r), r->who.center_id, &c);
        if (rc)
            return http__store_error(r, rc, "center");
        str_copy(v->codes[0], ORG_CODE_MAX, c.code);
        v->ptrs[0] = v->codes[0];
        v->view.ncenters = 1;
    }
    return 0;
}

static int may_see(const struct viewer *v, const char *center)
{
    if (v->view.ncenters < 0)
        return 1;
    for (int i = 0; i < v->view.ncenters; i++)
        if (strcmp(v->codes[i], center) == 0)
            return 1;
    return 0;
}

static int call_id_param(struct req *r)
{
    if (guard_call_id_valid(r->params[0]))
        return 0;
    http__reply_error(r, 400, "bad_request",
                      "call id \"%.40s\" must be 1–63 characters of A–Z, a–z, 0–9, . _ : -",
                      r->params[0]);
    return 400;
}

int api_calls_list(struct req *r)
{
    struct viewer v;
    int rc = no_guard(r);
    if (rc || (rc = viewer_of(r, &v)))
        return rc;
    json_t *out = guard_calls_json(r->srv->guard, &v.view);
    if (!out)
        return http__store_error(r, STORE_ERROR, "calls");
    http__reply_json(r, 200, out);
    return 200;
}

/* An ended call from the store, with its whole timeline. */
static json_t *stored_call(struct req *r, const struct store_guard_call *c)
{
    struct store_guard_event *ev = NULL;
    size_t n = 0;
    if (store_guard_events(http__db(r), c->call_id, &ev, &n))
        return NULL;
    json_t *tl = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_loads(ev[i].detail, 0, NULL);
        if (!json_is_object(e)) {
            json_decref(e);
            e = json_object();
        }
        json_object_set_new(e, "at", json_integer(ev[i].at));
        json_object_set_new(e, "kind", json_string(ev[i].kind));
        json_array_append_new(tl, e);
    }
    free(ev);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:i, s:s, s:o?, s:i, s:b, s:o}",
                     "id", c->call_id, "caller_ref", c->caller_ref, "operator", c->operator_login,
                     "center", c->center, "mode", c->mode, "started_at", (json_int_t)c->started_at,
                     "ended_at", (json_int_t)c->ended_at, "risk", c->risk, "detections",
                     c->detections, "categories", c->categories, "case_id",
                     c->case_id ? json_integer(c->case_id) : NULL, "policy_version",
                     c->policy_version, "active", 0, "timeline", tl);
}

int api_call_get(struct req *r)
{
    struct viewer v;
    int rc = no_guard(r);
    if (rc || (rc = call_id_param(r)) || (rc = viewer_of(r, &v)))
        return rc;
    char center[GUARD_NAME_MAX];
    json_t *out = guard_call_json(r->srv->guard, r->params[0], center);
    if (!out) {
        struct store_guard_call c;
        rc = store_guard_call_get(http__db(r), r->params[0], &c);
        if (rc)
            return http__store_error(r, rc, "call");
        str_copy(center, sizeof center, c.center);
        out = stored_call(r, &c);
        if (!out)
            return http__store_error(r, STORE_ERROR, "call timeline");
    }
    if (!may_see(&v, center)) {
        json_decref(out);
        http__reply_error(r, 404, "not_found", "call does not exist");
        return 404;
    }
    http__reply_json(r, 200, out);
    return 200;
}

static int guard_status(struct req *r, int rc, const char *what)
{
    switch (rc) {
    case GUARD_OK:
        return 0;
    case GUARD_ENOTFOUND:
        http__reply_error(r, 404, "not_found", "call \"%s\" is not active", r->params[0]);
        return 404;
    case GUARD_EINVAL:
        http__reply_error(r, 400, "bad_request", "%s: not valid UTF-8 text", what);
        return 400;
    case GUARD_EFULL:
        http__reply_error(r, 503, "unavailable", "the call guard holds its maximum of calls");
        return 503;
    default:
        http__reply_error(r, 500, "internal", "the call guard could not take the event");
        return 500;
    }
}

int api_call_events(struct req *r)
{
    struct guard_event_input in;
    char err[300];
    int rc = no_guard(r);
    if (rc || (rc = call_id_param(r)))
        return rc;
    if (http_decode_guard_event(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    guard_engine *g = r->srv->guard;
    const char *id = r->params[0];
    if (in.type == GEV_START && in.center[0]) {
        /* A call of a center that does not exist would open cases and alerts nobody can see. */
        struct org_center c;
        int crc = store_center_get(http__db(r), in.center, &c);
        if (crc == STORE_NOTFOUND) {
            http__reply_error(r, 422, "unknown_center", "center: no center \"%s\"", in.center);
            return 422;
        }
        if (crc)
            return http__store_error(r, crc, "center");
    }
    switch (in.type) {
    case GEV_START:
        rc = guard_call_start(g, id, in.caller, in.operator_name, in.center);
        break;
    case GEV_UTTERANCE:
        rc = guard_utterance(g, id, in.speaker, in.text, in.len, in.start_ms, in.end_ms);
        break;
    case GEV_FEATURE:
        rc = guard_feature(g, id, in.name, in.value, in.detail[0] ? in.detail : NULL);
        break;
    case GEV_END:
        rc = guard_call_end(g, id);
        break;
    }
    if ((rc = guard_status(r, rc, "text")))
        return rc;
    http__reply_json(r, 202, json_pack("{s:s, s:b}", "call", id, "accepted", 1));
    return 202;
}

int api_call_actions(struct req *r)
{
    struct guard_action_input in;
    struct viewer v;
    char err[300];
    int rc = no_guard(r);
    if (rc || (rc = call_id_param(r)) || (rc = viewer_of(r, &v)))
        return rc;
    if (http_decode_guard_action(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    char center[GUARD_NAME_MAX];
    json_t *now = guard_call_json(r->srv->guard, r->params[0], center);
    json_decref(now);
    if (!now || !may_see(&v, center)) {
        http__reply_error(r, 404, "not_found", "call \"%s\" is not active", r->params[0]);
        return 404;
    }
    rc = guard_call_action(r->srv->guard, r->params[0], in.action, r->who.login, err, sizeof err);
    if (rc == GUARD_ESTATE) {
        http__reply_error(r, 409, "conflict", "%s", err);
        return 409;
    }
    if ((rc = guard_status(r, rc, "action")))
        return rc;
    http__audit(r, "guard.action", r->params[0], in.action);
    json_t *out = guard_call_json(r->srv->guard, r->params[0], NULL);
    http__reply_json(r, 200, out ? out : json_pack("{s:s}", "id", r->params[0]));
    return 200;
}

int api_events_stream(struct req *r)
{
    struct viewer v;
    int rc = no_guard(r);
    if (rc || (rc = viewer_of(r, &v)))
        return rc;
    const char *max = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "max_s");
    int64_t max_s = 0;
    if (max && parse_int64(max, 1, 86400, &max_s)) {
        http__reply_error(r, 400, "bad_request", "max_s: \"%.20s\" is not 1 to 86400", max);
        return 400;
    }
    json_t *hello = guard_calls_json(r->srv->guard, &v.view);
    char *text = hello ? json_dumps(hello, JSON_COMPACT) : NULL;
    json_decref(hello);
    r->stream =
        http__sse_open(r->srv->sse, r->conn, v.view.centers, v.view.ncenters, (int)max_s, text);
    free(text);
    if (!r->stream) {
        http__reply_error(r, 500, "internal", "out of memory");
        return 500;
    }
    r->status = 200;
    return 200;
}

/* ---- the block list ---- */

/* Whether the principal may change entries of center ("" = every center: admins only). */
static int may_manage(struct req *r, const struct viewer *v, const char *center)
{
    return org_can_change_block(&r->who, center, center[0] && may_see(v, center));
}

int api_guard_blocks_list(struct req *r)
{
    struct viewer v;
    int rc = viewer_of(r, &v);
    if (rc)
        return rc;
    /* Entries for every center apply to the viewer's calls too, so everyone sees them. */
    const char *centers[VIEW_MAX + 1];
    int n = 0;
    for (int i = 0; i < v.view.ncenters; i++)
        centers[n++] = v.codes[i];
    centers[n++] = "";
    struct store_guard_block *bl = NULL;
    size_t nb = 0;
    rc = store_guard_block_list(http__db(r), centers, v.view.ncenters < 0 ? -1 : n, &bl, &nb);
    if (rc)
        return http__store_error(r, rc, "block list");
    json_t *arr = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(arr, guard_block_json(&bl[i]));
    free(bl);
    http__reply_json(r, 200, json_pack("{s:o}", "blocks", arr));
    return 200;
}

int api_guard_blocks_create(struct req *r)
{
    struct guard_block_input in;
    struct viewer v;
    char err[300];
    int rc = viewer_of(r, &v);
    if (rc)
        return rc;
    if (http_decode_guard_block(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    /* A center manager's entry is for their center unless they name it. */
    if (!in.center[0] && org_block_center_is_own(&r->who) && v.view.ncenters == 1)
        str_copy(in.center, sizeof in.center, v.codes[0]);
    if (!may_manage(r, &v, in.center)) {
        http__reply_error(r, 403, "forbidden", "block list of %s%s%s: not yours to change",
                          in.center[0] ? "center \"" : "every center", in.center,
                          in.center[0] ? "\"" : "");
        return 403;
    }
    struct store_guard_block b;
    rc = guard_block_add(http__db(r), in.caller, in.center, in.reason, r->who.login, r->addr, &b,
                         err, sizeof err);
    if (rc == IK_EINVAL) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    if (rc)
        return http__store_error(r, rc, "block list");
    http__reply_json(r, 201, guard_block_json(&b));
    return 201;
}

int api_guard_block_delete(struct req *r)
{
    struct viewer v;
    int64_t id;
    char err[300];
    if (parse_int64(r->params[0], 1, INT64_MAX, &id)) {
        http__reply_error(r, 400, "bad_request", "block id \"%.20s\" is not a whole number",
                          r->params[0]);
        return 400;
    }
    int rc = viewer_of(r, &v);
    if (rc)
        return rc;
    struct store_guard_block b;
    rc = store_guard_block_get(http__db(r), id, &b);
    if (rc == STORE_OK && b.center[0] && !may_see(&v, b.center))
        rc = STORE_NOTFOUND; /* another center's entry is not there for this viewer */
    if (rc)
        return http__store_error(r, rc, "block");
    if (!may_manage(r, &v, b.center)) {
        http__reply_error(r, 403, "forbidden", "block %lld is for every center: admins only",
                          (long long)id);
        return 403;
    }
    rc = guard_block_remove(http__db(r), id, r->who.login, r->addr, err, sizeof err);
    if (rc)
        return http__store_error(r, rc, "block");
    http__reply_json(r, 204, NULL);
    return 204;
}
