/* Persistence of the Well-being診断: waves and anonymous respondents with packed answers. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_org.h"
#include "store/store_survey.h"

/* ---- waves ---- */

int store_survey_wave_add(store *s, const char *code, const char *questionnaire_json,
                          int64_t created_at, int64_t *id)
{
    struct store_arg a[] = {ARG_TEXT(code), ARG_TEXT(questionnaire_json), ARG_INT(created_at)};
    return store__insert_id(s,
                            "INSERT INTO survey_waves (code, questionnaire, created_at)"
                            " VALUES (?, ?, ?) RETURNING id",
                            a, 3, id);
}

struct wave_row {
    int found;
    int64_t id;
    char *doc;
};

static int row_wave(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct wave_row *w = ud;
    w->found = 1;
    w->id = store__atoi(v[0]);
    w->doc = strdup(v[1] ? v[1] : "");
    return 1;
}

int store_survey_wave_get(store *s, const char *code, int64_t *id, char **questionnaire_json)
{
    struct wave_row w = {0};
    struct store_arg a[] = {ARG_TEXT(code)};
    int rc = store__query(s, "SELECT id, questionnaire FROM survey_waves WHERE code = ?", a, 1,
                          row_wave, &w);
    if (rc == STORE_OK && !w.found)
        rc = store__fail(s, STORE_NOTFOUND, "no such wave");
    if (rc == STORE_OK && !w.doc)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc) {
        free(w.doc);
        return rc;
    }
    *id = w.id;
    *questionnaire_json = w.doc;
    return STORE_OK;
}

static void decode_wave(void *rec, const char *const *v)
{
    struct store_survey_wave *w = rec;
    w->id = store__atoi(v[0]);
    store__copy(w->code, sizeof w->code, v[1]);
    w->created_at = store__atoi(v[2]);
}

int store_survey_wave_list(store *s, struct store_survey_wave **out, size_t *n)
{
    return store__list(
        s, "SELECT id, code, created_at FROM survey_waves ORDER BY created_at DESC, id DESC", NULL,
        0, sizeof **out, decode_wave, (void **)out, n);
}

int store_survey_wave_get_id(store *s, int64_t id, char **questionnaire_json)
{
    struct wave_row w = {0};
    struct store_arg a[] = {ARG_INT(id)};
    int rc = store__query(s, "SELECT id, questionnaire FROM survey_waves WHERE id = ?", a, 1,
                          row_wave, &w);
    if (rc == STORE_OK && !w.found)
        rc = store__fail(s, STORE_NOTFOUND, "no such wave");
    if (rc == STORE_OK && !w.doc)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc) {
        free(w.doc);
        return rc;
    }
    *questionnaire_json = w.doc;
    return STORE_OK;
}

/* ---- respondents ---- */

/* Text that is never NULL (arrays would make ARG_TEXT's NULL test always true). */
#define TEXT(v) ((struct store_arg){.type = SA_TEXT, .s = (v)})

/* Rows per INSERT: one statement with many VALUES lists costs far less per row than a statement
 * per row (the import of a wave was bound by it). 64 × 9 parameters stay under every limit. */
#define RESPONDENTS_PER_INSERT 64
#define RESPONDENT_COLS        9

/* The INSERT for n rows (n ≤ RESPONDENTS_PER_INSERT), built once per n into sql. */
static void respondents_sql(char *sql, size_t len, size_t n)
{
    size_t at = (size_t)snprintf(sql, len,
                                 "INSERT INTO survey_respondents (wave_id, center_id, position,"
                                 " segment, team, tenure, answers, comment, day) VALUES ");
    for (size_t i = 0; i < n && at < len; i++)
        at += (size_t)snprintf(sql + at, len - at, "%s(?, ?, ?, ?, ?, ?, ?, ?, ?)", i ? ", " : "");
}

int store_survey_respondents_add(store *s, int64_t wave_id, int64_t center_id, const char *day,
                                 const struct survey_respondent *r, char *const *comments, size_t n,
                                 int nitems)
{
    if (nitems < 0 || nitems > SURVEY_MAX_ITEMS)
        return store__fail(s, STORE_ERROR, "survey: %d items is out of range", nitems);
    if (!day || strlen(day) != 10)
        return store__fail(s, STORE_ERROR, "survey: the day must be YYYY-MM-DD");
    for (size_t i = 0; i < n; i++)
        if (r[i].position >= POS__COUNT)
            return store__fail(s, STORE_ERROR, "survey: respondent %zu has no position", i);
    char full_sql[RESPONDENTS_PER_INSERT * 40 + 200];
    char packed[RESPONDENTS_PER_INSERT][SURVEY_MAX_ITEMS + 1];
    struct store_arg a[RESPONDENTS_PER_INSERT * RESPONDENT_COLS];
    char part_sql[sizeof full_sql];
    int rc = STORE_OK;
    respondents_sql(full_sql, sizeof full_sql, RESPONDENTS_PER_INSERT);
    for (size_t at = 0; rc == STORE_OK && at < n; at += RESPONDENTS_PER_INSERT) {
        size_t m = n - at < RESPONDENTS_PER_INSERT ? n - at : RESPONDENTS_PER_INSERT;
        for (size_t j = 0; j < m; j++) {
            const struct survey_respondent *x = &r[at + j];
            for (int k = 0; k < nitems; k++)
                packed[j][k] = (char)('0' + (x->answers[k] <= SURVEY_SCALE ? x->answers[k] : 0));
            packed[j][nitems] = '\0';
            const char *comment = comments ? comments[at + j] : NULL;
            struct store_arg *row = &a[j * RESPONDENT_COLS];
            row[0] = ARG_INT(wave_id);
            row[1] = ARG_INT(center_id);
            row[2] = TEXT(org_position_name((enum org_position)x->position));
            row[3] = TEXT(x->segment);
            row[4] = TEXT(x->team);
            row[5] = TEXT(x->tenure);
            row[6] = TEXT(packed[j]);
            row[7] = ARG_TEXT(comment);
            row[8] = TEXT(day);
        }
        const char *sql = full_sql;
        if (m < RESPONDENTS_PER_INSERT) {
            respondents_sql(part_sql, sizeof part_sql, m);
            sql = part_sql;
        }
        rc = store__exec_args(s, sql, a, (int)(m * RESPONDENT_COLS), NULL);
    }
    return rc;
}

struct loader {
    struct store_survey_data *out;
    size_t cap_centers, cap_r;
    int nitems;
    int with_comments;
    int oom;
};

static void unpack(struct survey_respondent *r, const char *const *v, int nitems)
{
    enum org_position pos = POS_OTHER;
    org_position_parse(v[2], &pos);
    r->position = (uint8_t)pos;
    store__copy(r->segment, sizeof r->segment, v[3]);
    store__copy(r->team, sizeof r->team, v[4]);
    store__copy(r->tenure, sizeof r->tenure, v[5]);
    const char *a = v[6] ? v[6] : "";
    for (int k = 0; k < nitems && a[k]; k++)
        r->answers[k] = a[k] >= '1' && a[k] <= '0' + SURVEY_SCALE ? (uint8_t)(a[k] - '0') : 0;
}

/* Starts a new center block; NULL when out of memory. */
static struct store_survey_center *new_block(struct loader *l, int64_t center_id, const char *code)
{
    struct store_survey_center *c =
        store__push((void **)&l->out->centers, &l->out->n, &l->cap_centers, sizeof *c);
    if (!c)
        return NULL;
    c->center_id = center_id;
    store__copy(c->d.center, sizeof c->d.center, code);
    l->cap_r = 0;
    return c;
}

static int push_respondent(struct loader *l, struct store_survey_center *c, const char *comment)
{
    size_t n = c->d.n, cap = l->cap_r;
    struct survey_respondent *r = store__push((void **)&c->r, &n, &cap, sizeof *r);
    if (!r)
        return -1;
    if (l->with_comments) {
        size_t m = c->d.n, mcap = l->cap_r;
        char **slot = store__push((void **)&c->comments, &m, &mcap, sizeof *slot);
        if (!slot || (comment && !(*slot = strdup(comment)))) {
            c->d.n = n - 1; /* the respondent slot is dropped with the rest on release */
            return -1;
        }
    }
    c->d.n = n;
    l->cap_r = cap;
    return 0;
}

static int row_respondent(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct loader *l = ud;
    int64_t center_id = store__atoi(v[0]);
    struct store_survey_center *c = l->out->n ? &l->out->centers[l->out->n - 1] : NULL;
    if ((!c || c->center_id != center_id) && !(c = new_block(l, center_id, v[1]))) {
        l->oom = 1;
        return 1;
    }
    if (push_respondent(l, c, v[7])) {
        l->oom = 1;
        return 1;
    }
    unpack(&c->r[c->d.n - 1], v, l->nitems);
    return 0;
}

/* Fills the enrolled headcounts and points each block's view at its respondents. */
static int finish_blocks(store *s, struct store_survey_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct store_survey_center *c = &d->centers[i];
        struct org_center oc;
        int rc = store_center_get_id(s, c->center_id, &oc);
        if (rc)
            return rc;
        memcpy(c->headcount, oc.headcount, sizeof c->headcount);
        c->d.operators_enrolled = org_center_operators(&oc);
        c->d.staff_enrolled = org_center_staff(&oc);
        c->d.r = c->r;
    }
    return STORE_OK;
}

static int by_center_code(const void *a, const void *b)
{
    return strcmp(((const struct store_survey_center *)a)->d.center,
                  ((const struct store_survey_center *)b)->d.center);
}

#define RESPONDENT_SELECT                                                                          \
    "SELECT r.center_id, c.code, r.position, r.segment, r.team, r.tenure, r.answers, r.comment"    \
    " FROM survey_respondents r JOIN centers c ON c.id = r.center_id WHERE r.wave_id = ?"          \
    " AND r.pub IS NOT NULL AND r.pub <= ?"

int store_survey_load(store *s, int64_t wave_id, int64_t center_id, int nitems, int with_comments,
                      struct store_survey_data *out)
{
    return store_survey_load_upto(s, wave_id, center_id, nitems, with_comments, INT64_MAX, out);
}

int store_survey_load_upto(store *s, int64_t wave_id, int64_t center_id, int nitems,
                           int with_comments, int64_t pub_max, struct store_survey_data *out)
{
    struct store_survey_data d = {0};
    struct loader l = {.out = &d, .nitems = nitems, .with_comments = with_comments};
    if (nitems < 0 || nitems > SURVEY_MAX_ITEMS)
        return store__fail(s, STORE_ERROR, "survey: %d items is out of range", nitems);
    int rc = STORE_OK;
    if (center_id) {
        struct org_center oc;
        rc = store_center_get_id(s, center_id, &oc);
        if (rc == STORE_OK && !new_block(&l, center_id, oc.code))
            rc = store__fail(s, STORE_ERROR, "out of memory");
        struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(pub_max), ARG_INT(center_id)};
        if (rc == STORE_OK)
            rc = store__query(s, RESPONDENT_SELECT " AND r.center_id = ? ORDER BY r.id", a, 3,
                              row_respondent, &l);
    } else {
        struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(pub_max)};
        /* The index's own order (center, then row): sorting a million rows by center code in SQL
         * costs more than the whole scoring, so the few center blocks are ordered below. */
        rc = store__query(s, RESPONDENT_SELECT " ORDER BY r.center_id, r.id", a, 2, row_respondent,
                          &l);
        if (rc == STORE_OK && !l.oom && d.n > 1)
            qsort(d.centers, d.n, sizeof *d.centers, by_center_code);
    }
    if (rc == STORE_OK && l.oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc == STORE_OK)
        rc = finish_blocks(s, &d);
    if (rc) {
        store_survey_data_release(&d);
        return rc;
    }
    *out = d;
    return STORE_OK;
}

void store_survey_data_release(struct store_survey_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        struct store_survey_center *c = &d->centers[i];
        for (size_t k = 0; c->comments && k < c->d.n; k++)
            free(c->comments[k]);
        free(c->comments);
        free(c->r);
    }
    free(d->centers);
    memset(d, 0, sizeof *d);
}

/* ---- counts ---- */

struct count_rows {
    struct store_survey_count *arr;
    size_t n, cap;
    int oom;
};

static int row_count(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct count_rows *c = ud;
    int64_t center_id = store__atoi(v[0]);
    struct store_survey_count *last = c->n ? &c->arr[c->n - 1] : NULL;
    if (!last || last->center_id != center_id) {
        last = store__push((void **)&c->arr, &c->n, &c->cap, sizeof *last);
        if (!last) {
            c->oom = 1;
            return 1;
        }
        last->center_id = center_id;
        store__copy(last->center, sizeof last->center, v[1]);
    }
    enum org_position pos;
    if (org_position_parse(v[2], &pos) == 0)
        last->respondents[pos] = store__atoi(v[3]);
    return 0;
}

int store_survey_counts(store *s, int64_t wave_id, struct store_survey_count **out, size_t *n)
{
    struct count_rows c = {0};
    struct store_arg a[] = {ARG_INT(wave_id)};
    int rc = store__query(s,
                          "SELECT r.center_id, c.code, r.position, COUNT(*)"
                          " FROM survey_respondents r JOIN centers c ON c.id = r.center_id"
                          " WHERE r.wave_id = ? GROUP BY r.center_id, c.code, r.position"
                          " ORDER BY c.code, r.position",
                          a, 1, row_count, &c);
    if (rc == STORE_OK && c.oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    for (size_t i = 0; rc == STORE_OK && i < c.n; i++) {
        struct org_center oc;
        rc = store_center_get_id(s, c.arr[i].center_id, &oc);
        if (rc == STORE_OK)
            memcpy(c.arr[i].enrolled, oc.headcount, sizeof c.arr[i].enrolled);
    }
    if (rc) {
        free(c.arr);
        return rc;
    }
    *out = c.arr;
    *n = c.n;
    return STORE_OK;
}

/* ---- collection links ---- */

#define LINK_COLUMNS                                                                               \
    "SELECT l.id, l.wave_id, l.center_id, w.code, c.code, c.name, l.token, l.created_at,"          \
    " l.closed_at FROM survey_links l JOIN survey_waves w ON w.id = l.wave_id"                     \
    " JOIN centers c ON c.id = l.center_id "

static void decode_link(void *rec, const char *const *v)
{
    struct store_survey_link *l = rec;
    l->id = store__atoi(v[0]);
    l->wave_id = store__atoi(v[1]);
    l->center_id = store__atoi(v[2]);
    store__copy(l->wave, sizeof l->wave, v[3]);
    store__copy(l->center, sizeof l->center, v[4]);
    store__copy(l->center_name, sizeof l->center_name, v[5]);
    store__copy(l->token, sizeof l->token, v[6]);
    l->created_at = store__atoi(v[7]);
    l->closed_at = v[8] ? store__atoi(v[8]) : 0;
}

int store_survey_link_open(store *s, int64_t wave_id, int64_t center_id, const char *token,
                           int64_t now, struct store_survey_link *out)
{
    struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(center_id), ARG_TEXT(token), ARG_INT(now)};
    int rc = store__exec_args(s,
                              "INSERT INTO survey_links (wave_id, center_id, token, created_at)"
                              " VALUES (?, ?, ?, ?) ON CONFLICT (wave_id, center_id) DO UPDATE"
                              " SET token = CASE WHEN survey_links.closed_at IS NULL"
                              " THEN survey_links.token ELSE excluded.token END,"
                              " closed_at = NULL",
                              a, 4, NULL);
    if (rc)
        return rc;
    return store__get_one(s, LINK_COLUMNS "WHERE l.wave_id = ? AND l.center_id = ?", a, 2,
                          sizeof *out, decode_link, out);
}

int store_survey_link_get(store *s, const char *token, struct store_survey_link *out)
{
    struct store_arg a[] = {ARG_TEXT(token)};
    return store__get_one(s, LINK_COLUMNS "WHERE l.token = ?", a, 1, sizeof *out, decode_link, out);
}

int store_survey_link_list(store *s, int64_t wave_id, struct store_survey_link **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(wave_id)};
    return store__list(s, LINK_COLUMNS "WHERE ? = 0 OR l.wave_id = ? ORDER BY w.code, c.code", a, 2,
                       sizeof **out, decode_link, (void **)out, n);
}

int store_survey_link_close(store *s, int64_t wave_id, int64_t center_id, int64_t now)
{
    struct store_arg a[] = {ARG_INT(now), ARG_INT(wave_id), ARG_INT(center_id)};
    int64_t changes = 0;
    int rc = store__exec_args(s,
                              "UPDATE survey_links SET closed_at = ? WHERE wave_id = ?"
                              " AND center_id = ? AND closed_at IS NULL",
                              a, 3, &changes);
    if (rc == STORE_OK && changes == 0)
        rc = store__fail(s, STORE_NOTFOUND, "no open link for this wave and center");
    return rc;
}

/* ---- publications ---- */

static void decode_int(void *rec, const char *const *v)
{
    *(int64_t *)rec = v[0] ? store__atoi(v[0]) : 0;
}

int store_survey_publish_mark(store *s, int64_t wave_id, int64_t center_id, int64_t *seq,
                              int64_t *added)
{
    struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(center_id)};
    int64_t last = 0, changes = 0;
    int rc = store__get_one(s,
                            "SELECT MAX(seq) FROM survey_publications WHERE wave_id = ?"
                            " AND center_id = ?",
                            a, 2, sizeof last, decode_int, &last);
    if (rc == STORE_NOTFOUND)
        rc = STORE_OK;
    struct store_arg b[] = {ARG_INT(last + 1), ARG_INT(wave_id), ARG_INT(center_id)};
    if (rc == STORE_OK)
        rc = store__exec_args(s,
                              "UPDATE survey_respondents SET pub = ? WHERE wave_id = ?"
                              " AND center_id = ? AND pub IS NULL",
                              b, 3, &changes);
    if (rc)
        return rc;
    *seq = last + 1;
    *added = changes;
    return STORE_OK;
}

int store_survey_publication_add(store *s, int64_t wave_id, int64_t center_id,
                                 const struct store_survey_publication *p)
{
    struct store_arg a[] = {ARG_INT(wave_id),        ARG_INT(center_id),       ARG_INT(p->seq),
                            ARG_INT(p->respondents), ARG_INT(p->published_at), ARG_TEXT(p->reason)};
    return store__exec_args(s,
                            "INSERT INTO survey_publications (wave_id, center_id, seq, respondents,"
                            " published_at, reason) VALUES (?, ?, ?, ?, ?, ?)",
                            a, 6, NULL);
}

static void decode_publication(void *rec, const char *const *v)
{
    struct store_survey_publication *p = rec;
    p->seq = store__atoi(v[0]);
    p->respondents = store__atoi(v[1]);
    p->published_at = store__atoi(v[2]);
    store__copy(p->reason, sizeof p->reason, v[3]);
    p->pending = store__atoi(v[4]);
}

int store_survey_publication_last(store *s, int64_t wave_id, int64_t center_id,
                                  struct store_survey_publication *out)
{
    struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(center_id), ARG_INT(wave_id),
                            ARG_INT(center_id)};
    return store__get_one(s,
                          "SELECT p.seq, p.respondents, p.published_at, p.reason,"
                          " (SELECT COUNT(*) FROM survey_respondents r WHERE r.wave_id = ?"
                          " AND r.center_id = ? AND r.pub IS NULL)"
                          " FROM survey_publications p WHERE p.wave_id = ? AND p.center_id = ?"
                          " ORDER BY p.seq DESC LIMIT 1",
                          a, 4, sizeof *out, decode_publication, out);
}

int store_survey_pending(store *s, int64_t wave_id, int64_t center_id, int64_t *n)
{
    struct store_arg a[] = {ARG_INT(wave_id), ARG_INT(center_id)};
    *n = 0;
    return store__get_one(s,
                          "SELECT COUNT(*) FROM survey_respondents WHERE wave_id = ?"
                          " AND center_id = ? AND pub IS NULL",
                          a, 2, sizeof *n, decode_int, n);
}
