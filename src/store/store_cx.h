/* store_cx: 顧客接点力診断: answers and checkpoints. The SQL is in store_cx.c. */
#ifndef IKIIKI_STORE_CX_H
#define IKIIKI_STORE_CX_H

#include <stddef.h>
#include <stdint.h>

#include "cx/cx.h"
#include "store/store.h"

/* 顧客接点力診断. Answers are listed round by round (rounds in the order they began), each
 * round's answers by time. Levels are stored per area in the sheet's order. */
int store_cx_answer_add(store *s, int64_t company_id, struct cx_answer *a);
int store_cx_answers(store *s, int64_t company_id, struct cx_answer **out, size_t *n);

struct store_cx_checkpoint {
    char code[40];
    double value;
    int64_t at;
};
int store_cx_checkpoint_add(store *s, int64_t company_id, const char *code, double value,
                            int64_t at);
int store_cx_checkpoints(store *s, int64_t company_id, struct store_cx_checkpoint **out, size_t *n);

#endif
