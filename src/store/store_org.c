/* Persistence of the organisation: companies, centers, teams, users, API keys, sessions and the
 * audit log. Portable SQL that both backends run unchanged. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "store/store_org.h"

/* Appends " AND <col> IN (?, ?, …)" and the matching arguments. */
static int add_in_list(struct buf *sql, const char *col, const int64_t *ids, int nids,
                       struct store_arg *args, int *nargs, int maxargs)
{
    if (nids <= 0)
        return buf_printf(sql, " AND 1 = 0");
    if (*nargs + nids > maxargs)
        return -1;
    if (buf_printf(sql, " AND %s IN (", col))
        return -1;
    for (int i = 0; i < nids; i++) {
        if (buf_puts(sql, i ? ", ?" : "?"))
            return -1;
        args[(*nargs)++] = ARG_INT(ids[i]);
    }
    return buf_puts(sql, ")");
}

/* ---- companies ---- */

static void decode_company(void *rec, const char *const *v)
{
    struct org_company *c = rec;
    c->id = store__atoi(v[0]);
    store__copy(c->code, sizeof c->code, v[1]);
    store__copy(c->name, sizeof c->name, v[2]);
}

int store_company_add(store *s, struct org_company *c)
{
    struct store_arg a[] = {ARG_TEXT(c->code), ARG_TEXT(c->name), ARG_INT(now_unix())};
    int64_t id;
    int rc = store__insert_id(
        s, "INSERT INTO companies (code, name, created_at) VALUES (?, ?, ?) RETURNING id", a, 3,
        &id);
    if (rc == STORE_OK)
        c->id = id;
    return rc;
}

int store_company_get(store *s, const char *code, struct org_company *out)
{
    struct store_arg a[] = {ARG_TEXT(code)};
    return store__get_one(s, "SELECT id, code, name FROM companies WHERE code = ?", a, 1,
                          sizeof *out, decode_company, out);
}

int store_company_list(store *s, struct org_company **out, size_t *n)
{
    return store__list(s, "SELECT id, code, name FROM companies ORDER BY code", NULL, 0,
                       sizeof **out, decode_company, (void **)out, n);
}

/* ---- centers ---- */

#define CENTER_SELECT                                                                              \
    "SELECT c.id, c.company_id, c.code, c.name, co.code,"                                          \
    " COALESCE((SELECT headcount FROM center_headcounts h"                                         \
    "  WHERE h.center_id = c.id AND h.position = 'OP'), 0),"                                       \
    " COALESCE((SELECT headcount FROM center_headcounts h"                                         \
    "  WHERE h.center_id = c.id AND h.position = 'SV'), 0),"                                       \
    " COALESCE((SELECT headcount FROM center_headcounts h"                                         \
    "  WHERE h.center_id = c.id AND h.position = 'MGR'), 0),"                                      \
    " COALESCE((SELECT headcount FROM center_headcounts h"                                         \
    "  WHERE h.center_id = c.id AND h.position = 'OTHER'), 0)"                                     \
    " FROM centers c JOIN companies co ON co.id = c.company_id"

static void decode_center(void *rec, const char *const *v)
{
    struct org_center *c = rec;
    c->id = store__atoi(v[0]);
    c->company_id = store__atoi(v[1]);
    store__copy(c->code, sizeof c->code, v[2]);
    store__copy(c->name, sizeof c->name, v[3]);
    store__copy(c->company, sizeof c->company, v[4]);
    for (int p = 0; p < POS__COUNT; p++)
        c->headcount[p] = store__atoi(v[5 + p]);
}

static int save_headcounts(store *s, const struct org_center *c)
{
    struct store_arg del[] = {ARG_INT(c->id)};
    int rc = store__exec_args(s, "DELETE FROM center_headcounts WHERE center_id = ?", del, 1, NULL);
    for (int p = 0; rc == STORE_OK && p < POS__COUNT; p++) {
        struct store_arg a[] = {ARG_INT(c->id), ARG_TEXT(org_position_name(p)),
                                ARG_INT(c->headcount[p])};
        rc = store__exec_args(
            s, "INSERT INTO center_headcounts (center_id, position, headcount) VALUES (?, ?, ?)", a,
            3, NULL);
    }
    return rc;
}

int store_center_add(store *s, struct org_center *c)
{
    int rc = store_begin(s);
    if (rc)
        return rc;
    struct store_arg a[] = {ARG_INT(c->company_id), ARG_TEXT(c->code), ARG_TEXT(c->name),
                            ARG_INT(now_unix())};
    int64_t id = 0;
    rc = store__insert_id(s,
                          "INSERT INTO centers (company_id, code, name, created_at)"
                          " VALUES (?, ?, ?, ?) RETURNING id",
                          a, 4, &id);
    if (rc == STORE_OK) {
        struct org_center tmp = *c;
        tmp.id = id;
        rc = save_headcounts(s, &tmp);
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        return rc;
    }
    c->id = id;
    return STORE_OK;
}

int store_center_get(store *s, const char *code, struct org_center *out)
{
    struct store_arg a[] = {ARG_TEXT(code)};
    return store__get_one(s, CENTER_SELECT " WHERE c.code = ?", a, 1, sizeof *out, decode_center,
                          out);
}

int store_center_get_id(store *s, int64_t id, struct org_center *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, CENTER_SELECT " WHERE c.id = ?", a, 1, sizeof *out, decode_center,
                          out);
}

int store_center_list(store *s, const int64_t *company_ids, int ncompanies, struct org_center **out,
                      size_t *n)
{
    struct buf sql;
    buf_init(&sql, 0);
    struct store_arg a[ORG_MAX_COMPANIES];
    int na = 0;
    int rc = buf_puts(&sql, CENTER_SELECT " WHERE 1 = 1");
    if (rc == 0 && company_ids)
        rc = add_in_list(&sql, "c.company_id", company_ids, ncompanies, a, &na, ORG_MAX_COMPANIES);
    if (rc == 0)
        rc = buf_puts(&sql, " ORDER BY c.code");
    if (rc) {
        buf_release(&sql);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    rc = store__list(s, sql.data, a, na, sizeof **out, decode_center, (void **)out, n);
    buf_release(&sql);
    return rc;
}

int store_center_update(store *s, const struct org_center *c)
{
    int rc = store_begin(s);
    if (rc)
        return rc;
    struct store_arg a[] = {ARG_TEXT(c->name), ARG_INT(c->company_id), ARG_INT(c->id)};
    int64_t changed = 0;
    rc = store__exec_args(s, "UPDATE centers SET name = ?, company_id = ? WHERE id = ?", a, 3,
                          &changed);
    if (rc == STORE_OK && changed == 0)
        rc = store__fail(s, STORE_NOTFOUND, "center %s: not found", c->code);
    if (rc == STORE_OK)
        rc = save_headcounts(s, c);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc)
        store_rollback(s);
    return rc;
}

int store_center_delete(store *s, int64_t id)
{
    struct store_arg a[] = {ARG_INT(id)};
    int64_t changed = 0;
    int rc = store__exec_args(s, "DELETE FROM centers WHERE id = ?", a, 1, &changed);
    if (rc == STORE_OK && changed == 0)
        rc = store__fail(s, STORE_NOTFOUND, "not found");
    return rc;
}

/* ---- teams ---- */

static void decode_team(void *rec, const char *const *v)
{
    struct org_team *t = rec;
    t->id = store__atoi(v[0]);
    t->center_id = store__atoi(v[1]);
    store__copy(t->center, sizeof t->center, v[2]);
    store__copy(t->code, sizeof t->code, v[3]);
    store__copy(t->name, sizeof t->name, v[4]);
}

#define TEAM_SELECT                                                                                \
    "SELECT t.id, t.center_id, c.code, t.code, t.name FROM teams t"                                \
    " JOIN centers c ON c.id = t.center_id"

int store_team_add(store *s, struct org_team *t)
{
    struct store_arg a[] = {ARG_INT(t->center_id), ARG_TEXT(t->code), ARG_TEXT(t->name)};
    int64_t id;
    int rc = store__insert_id(
        s, "INSERT INTO teams (center_id, code, name) VALUES (?, ?, ?) RETURNING id", a, 3, &id);
    if (rc == STORE_OK)
        t->id = id;
    return rc;
}

int store_team_get(store *s, int64_t center_id, const char *code, struct org_team *out)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_TEXT(code)};
    return store__get_one(s, TEAM_SELECT " WHERE t.center_id = ? AND t.code = ?", a, 2, sizeof *out,
                          decode_team, out);
}

int store_team_list(store *s, int64_t center_id, struct org_team **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id)};
    return store__list(s, TEAM_SELECT " WHERE t.center_id = ? ORDER BY t.code", a, 1, sizeof **out,
                       decode_team, (void **)out, n);
}

/* ---- users ---- */

#define USER_SELECT                                                                                \
    "SELECT u.id, u.login, u.role, u.center_id, c.code, u.team_id, t.code, u.display_name,"        \
    " u.password_hash, u.disabled, u.created_at, u.business_name FROM users u"                     \
    " LEFT JOIN centers c ON c.id = u.center_id LEFT JOIN teams t ON t.id = u.team_id"

static void decode_user(void *rec, const char *const *v)
{
    struct org_user *u = rec;
    u->id = store__atoi(v[0]);
    store__copy(u->login, sizeof u->login, v[1]);
    if (org_role_parse(v[2], &u->role))
        u->role = ROLE_NONE; /* an unknown role grants nothing */
    u->center_id = store__atoi(v[3]);
    store__copy(u->center, sizeof u->center, v[4]);
    u->team_id = store__atoi(v[5]);
    store__copy(u->team, sizeof u->team, v[6]);
    store__copy(u->display_name, sizeof u->display_name, v[7]);
    store__copy(u->password_hash, sizeof u->password_hash, v[8]);
    u->disabled = (int)store__atoi(v[9]);
    u->created_at = store__atoi(v[10]);
    store__copy(u->business_name, sizeof u->business_name, v[11]);
}

int store_user_add(store *s, struct org_user *u)
{
    struct store_arg a[] = {ARG_TEXT(u->login),           ARG_TEXT(org_role_name(u->role)),
                            ARG_ID(u->center_id),         ARG_ID(u->team_id),
                            ARG_TEXT(u->display_name),    ARG_TEXT(u->password_hash),
                            ARG_INT(u->disabled ? 1 : 0), ARG_INT(now_unix()),
                            ARG_TEXT(u->business_name)};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO users (login, role, center_id, team_id, display_name,"
                              " password_hash, disabled, created_at, business_name)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              a, 9, &id);
    if (rc == STORE_OK)
        u->id = id;
    return rc;
}

int store_user_get(store *s, const char *login, struct org_user *out)
{
    struct store_arg a[] = {ARG_TEXT(login)};
    return store__get_one(s, USER_SELECT " WHERE u.login = ?", a, 1, sizeof *out, decode_user, out);
}

int store_user_get_id(store *s, int64_t id, struct org_user *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, USER_SELECT " WHERE u.id = ?", a, 1, sizeof *out, decode_user, out);
}

int store_user_list(store *s, int64_t center_id, const int64_t *company_ids, int ncompanies,
                    struct org_user **out, size_t *n)
{
    struct buf sql;
    buf_init(&sql, 0);
    struct store_arg a[ORG_MAX_COMPANIES + 1];
    int na = 0;
    int rc = buf_puts(&sql, USER_SELECT " WHERE 1 = 1");
    if (rc == 0 && center_id) {
        rc = buf_puts(&sql, " AND u.center_id = ?");
        a[na++] = ARG_INT(center_id);
    }
    if (rc == 0 && company_ids)
        rc = add_in_list(&sql, "c.company_id", company_ids, ncompanies, a, &na,
                         ORG_MAX_COMPANIES + 1);
    if (rc == 0)
        rc = buf_puts(&sql, " ORDER BY u.login");
    if (rc) {
        buf_release(&sql);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    rc = store__list(s, sql.data, a, na, sizeof **out, decode_user, (void **)out, n);
    buf_release(&sql);
    return rc;
}

int store_user_update(store *s, const struct org_user *u)
{
    struct store_arg a[] = {ARG_TEXT(org_role_name(u->role)),
                            ARG_ID(u->center_id),
                            ARG_ID(u->team_id),
                            ARG_TEXT(u->display_name),
                            ARG_TEXT(u->password_hash),
                            ARG_INT(u->disabled ? 1 : 0),
                            ARG_TEXT(u->business_name),
                            ARG_INT(u->id)};
    int64_t changed = 0;
    int rc =
        store__exec_args(s,
                         "UPDATE users SET role = ?, center_id = ?, team_id = ?,"
                         " display_name = ?, password_hash = ?, disabled = ?, business_name = ?"
                         " WHERE id = ?",
                         a, 8, &changed);
    if (rc == STORE_OK && changed == 0)
        rc = store__fail(s, STORE_NOTFOUND, "user %s: not found", u->login);
    return rc;
}

int store_user_delete(store *s, int64_t id)
{
    struct store_arg a[] = {ARG_INT(id)};
    int64_t changed = 0;
    int rc = store__exec_args(s, "DELETE FROM users WHERE id = ?", a, 1, &changed);
    if (rc == STORE_OK && changed == 0)
        rc = store__fail(s, STORE_NOTFOUND, "not found");
    return rc;
}

int store_consultant_link(store *s, int64_t user_id, int64_t company_id)
{
    struct store_arg a[] = {ARG_INT(user_id), ARG_INT(company_id)};
    return store__exec_args(
        s, "INSERT INTO consultant_companies (user_id, company_id) VALUES (?, ?)", a, 2, NULL);
}

static int row_company_id(void *ud, int ncol, const char *const *vals)
{
    (void)ncol;
    struct org_principal *p = ud;
    if (p->ncompanies >= ORG_MAX_COMPANIES)
        return 1;
    p->companies[p->ncompanies++] = store__atoi(vals[0]);
    return 0;
}

int store_consultant_companies(store *s, int64_t user_id, struct org_principal *p)
{
    struct store_arg a[] = {ARG_INT(user_id)};
    p->ncompanies = 0;
    return store__query(s,
                        "SELECT company_id FROM consultant_companies WHERE user_id = ?"
                        " ORDER BY company_id",
                        a, 1, row_company_id, p);
}

/* ---- API keys ---- */

static void decode_apikey(void *rec, const char *const *v)
{
    struct org_apikey *k = rec;
    k->id = store__atoi(v[0]);
    store__copy(k->name, sizeof k->name, v[1]);
    k->scopes = (unsigned)store__atoi(v[2]);
    store__copy(k->prefix, sizeof k->prefix, v[3]);
    k->created_at = store__atoi(v[4]);
    k->revoked = (int)store__atoi(v[5]);
    k->expires_at = store__atoi(v[6]);
}

int store_apikey_add(store *s, struct org_apikey *k, const char *hash_hex)
{
    k->created_at = now_unix();
    struct store_arg a[] = {ARG_TEXT(k->name),  ARG_INT(k->scopes),     ARG_TEXT(k->prefix),
                            ARG_TEXT(hash_hex), ARG_INT(k->created_at), ARG_INT(k->expires_at)};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO api_keys (name, scopes, prefix, key_hash, created_at,"
                              " expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              a, 6, &id);
    if (rc == STORE_OK)
        k->id = id;
    return rc;
}

int store_apikey_find(store *s, const char *hash_hex, int64_t now, struct org_apikey *out)
{
    struct store_arg a[] = {ARG_TEXT(hash_hex), ARG_INT(now)};
    return store__get_one(s,
                          "SELECT id, name, scopes, prefix, created_at, revoked, expires_at"
                          " FROM api_keys WHERE key_hash = ? AND revoked = 0"
                          " AND (expires_at = 0 OR expires_at > ?)",
                          a, 2, sizeof *out, decode_apikey, out);
}

int store_apikey_revoke(store *s, const char *id_or_name, struct org_apikey *out)
{
    struct store_arg a[] = {ARG_TEXT(id_or_name), ARG_TEXT(id_or_name)};
    int rc = store__get_one(s,
                            "SELECT id, name, scopes, prefix, created_at, revoked, expires_at"
                            " FROM api_keys WHERE CAST(id AS TEXT) = ? OR name = ?",
                            a, 2, sizeof *out, decode_apikey, out);
    if (rc)
        return rc;
    struct store_arg b[] = {ARG_INT(out->id)};
    rc = store__exec_args(s, "UPDATE api_keys SET revoked = 1 WHERE id = ?", b, 1, NULL);
    if (rc == STORE_OK)
        out->revoked = 1;
    return rc;
}

int store_apikey_list(store *s, struct org_apikey **out, size_t *n)
{
    return store__list(s,
                       "SELECT id, name, scopes, prefix, created_at, revoked, expires_at"
                       " FROM api_keys ORDER BY name",
                       NULL, 0, sizeof **out, decode_apikey, (void **)out, n);
}

/* ---- sessions ---- */

int store_session_add(store *s, const char *hash_hex, int64_t user_id, const char *csrf,
                      int64_t expires_at)
{
    struct store_arg a[] = {ARG_TEXT(hash_hex), ARG_INT(user_id), ARG_TEXT(csrf),
                            ARG_INT(now_unix()), ARG_INT(expires_at)};
    return store__exec_args(s,
                            "INSERT INTO sessions (token_hash, user_id, csrf, created_at,"
                            " expires_at) VALUES (?, ?, ?, ?, ?)",
                            a, 5, NULL);
}

struct session_row {
    int found;
    int64_t user_id;
    char csrf[ORG_TOKEN_LEN + 1];
};

static int row_session(void *ud, int ncol, const char *const *vals)
{
    (void)ncol;
    struct session_row *r = ud;
    r->found = 1;
    r->user_id = store__atoi(vals[0]);
    store__copy(r->csrf, sizeof r->csrf, vals[1]);
    return 1;
}

int store_session_get(store *s, const char *hash_hex, int64_t now, int64_t *user_id, char *csrf,
                      size_t csrflen)
{
    struct store_arg a[] = {ARG_TEXT(hash_hex), ARG_INT(now)};
    struct session_row r = {0};
    int rc = store__query(s,
                          "SELECT user_id, csrf FROM sessions WHERE token_hash = ?"
                          " AND expires_at > ?",
                          a, 2, row_session, &r);
    if (rc)
        return rc;
    if (!r.found)
        return store__fail(s, STORE_NOTFOUND, "no such session");
    *user_id = r.user_id;
    str_copy(csrf, csrflen, r.csrf);
    return STORE_OK;
}

int store_session_delete(store *s, const char *hash_hex)
{
    struct store_arg a[] = {ARG_TEXT(hash_hex)};
    return store__exec_args(s, "DELETE FROM sessions WHERE token_hash = ?", a, 1, NULL);
}

int store_session_end_user(store *s, int64_t user_id, const char *keep_hash)
{
    struct store_arg a[] = {ARG_INT(user_id), ARG_TEXT(keep_hash ? keep_hash : "")};
    return store__exec_args(s, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", a, 2,
                            NULL);
}

int store_session_purge(store *s, int64_t now)
{
    struct store_arg a[] = {ARG_INT(now)};
    return store__exec_args(s, "DELETE FROM sessions WHERE expires_at <= ?", a, 1, NULL);
}

/* ---- audit ---- */

int store_audit_add(store *s, const char *actor, const char *action, const char *target,
                    const char *detail, const char *address)
{
    struct store_arg a[] = {ARG_INT(now_unix()),
                            ARG_TEXT(actor ? actor : "-"),
                            ARG_TEXT(action),
                            ARG_TEXT(target ? target : ""),
                            ARG_TEXT(detail ? detail : ""),
                            ARG_TEXT(address ? address : "")};
    return store__exec_args(s,
                            "INSERT INTO audit_log (at, actor, action, target, detail, address)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            a, 6, NULL);
}

static void decode_audit(void *rec, const char *const *v)
{
    struct store_audit *e = rec;
    e->id = store__atoi(v[0]);
    e->at = store__atoi(v[1]);
    store__copy(e->actor, sizeof e->actor, v[2]);
    store__copy(e->action, sizeof e->action, v[3]);
    store__copy(e->target, sizeof e->target, v[4]);
    store__copy(e->detail, sizeof e->detail, v[5]);
    store__copy(e->address, sizeof e->address, v[6]);
}

int store_audit_list(store *s, int limit, struct store_audit **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(limit)};
    return store__list(s,
                       "SELECT id, at, actor, action, target, detail, address FROM audit_log"
                       " ORDER BY id DESC LIMIT ?",
                       a, 1, sizeof **out, decode_audit, (void **)out, n);
}
