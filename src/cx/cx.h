/* cx: 顧客接点力診断, the customer-contact self-diagnosis for small companies.
 * A sheet (data/cx/sheet.json) holds the four areas with levels 0–3, the stage profiles, the
 * action catalog and the checkpoints; a diagnosis is the level a company picks for each area.
 * Pure logic: no store, no I/O beyond loading the sheet file. */
#ifndef IKIIKI_CX_H
#define IKIIKI_CX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CX_AREAS       4
#define CX_LEVELS      4 /* 0..3 */
#define CX_MAX_ACTIONS 128

typedef struct cx_sheet cx_sheet;

/* Loads and checks a sheet; on failure err names the file and the field. */
int cx_sheet_load(const char *path, cx_sheet **out, char *err, size_t errlen);
/* The same from parsed JSON (the sheet keeps its own reference to root). */
int cx_sheet_from_json(json_t *root, cx_sheet **out, char *err, size_t errlen);
void cx_sheet_free(cx_sheet *s);
const char *cx_area_code(const cx_sheet *s, int area);
/* The area index for a code, or -1. */
int cx_area_find(const cx_sheet *s, const char *code);

/* Parses "L1,L2,L3,L4" (areas in sheet order), each 0–3. */
int cx_parse_levels(const char *text, int levels[CX_AREAS], char *err, size_t errlen);

struct cx_result {
    int levels[CX_AREAS];
    int overall; /* the lowest area: the experience is pulled down by its weakest part */
    int target;  /* the level to reach next (overall + 1, at most 3) */
    /* Catalog indices, in the order the company should take them up. */
    int plan[CX_MAX_ACTIONS];
    int nplan;
    /* The roadmap: catalog indices per milestone. */
    int m3[CX_MAX_ACTIONS], m6[CX_MAX_ACTIONS], m12[CX_MAX_ACTIONS];
    int nm3, nm6, nm12;
};

/* Computes the overall level, the plan and the roadmap for the levels given (each 0–3). */
void cx_diagnose(const cx_sheet *s, const int levels[CX_AREAS], struct cx_result *out);
/* {areas, overall, stage, profile, actions, roadmap:{m3,m6,m12}, guidance}; a new reference. */
json_t *cx_result_json(const cx_sheet *s, const struct cx_result *r);
/* The sheet as shown to the person answering it (guidance first). A new reference. */
json_t *cx_sheet_json(const cx_sheet *s);

/* One stored answer to the sheet. */
struct cx_answer {
    int64_t id;
    char round[32];       /* answers of one round are compared with each other */
    char respondent[128]; /* who answered; may be empty */
    int64_t taken_at;
    int levels[CX_AREAS];
};

/* History over answers sorted by taken_at: per round the answers, the median level per area,
 * where respondents disagree (levels 2 or more apart), and the change per area since the
 * previous round. A new reference. */
json_t *cx_history_json(const cx_sheet *s, const struct cx_answer *a, size_t n);

/* Checks a checkpoint code against the sheet. */
int cx_checkpoint_known(const cx_sheet *s, const char *code);

#endif
