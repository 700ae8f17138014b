/* Private to src/store: the backend table and the small query layer both backends share. */
#ifndef IKIIKI_STORE_INT_H
#define IKIIKI_STORE_INT_H

#include "store.h"

enum store_arg_type { SA_NULL, SA_INT, SA_TEXT };

struct store_arg {
    enum store_arg_type type;
    int64_t i;
    const char *s;
};

#define ARG_INT(v)  ((struct store_arg){.type = SA_INT, .i = (v)})
#define ARG_TEXT(v) ((struct store_arg){.type = (v) ? SA_TEXT : SA_NULL, .s = (v)})
#define ARG_ID(v)   ((v) ? ARG_INT(v) : (struct store_arg){.type = SA_NULL})

/* Called once per row with the columns as text (NULL for SQL NULL). Return non-zero to stop. */
typedef int (*store_row_fn)(void *ud, int ncol, const char *const *vals);

/* A backend. SQL uses `?` placeholders; a backend that needs another form rewrites them. */
struct store_ops {
    const char *name;
    /* Column type of an auto-numbered primary key, substituted for {{ID}} in migrations. */
    const char *id_type;
    const char *begin_sql;
    int (*open)(store *s, const char *target);
    void (*close)(store *s);
    /* Runs a script of several statements without parameters. */
    int (*exec)(store *s, const char *script);
    int (*query)(store *s, const char *sql, const struct store_arg *args, int nargs,
                 store_row_fn fn, void *ud, int64_t *changes);
    /* Optional (NULL: STORE_NOBACKEND): cross-server notifications. */
    int (*notify)(store *s, const char *channel, const char *payload);
    int (*listen)(store *s, const char *channel);
    int (*wait_notify)(store *s, int timeout_ms, void (*fn)(void *ud, const char *payload),
                       void *ud);
    /* Optional (NULL: STORE_NOBACKEND): whole-database copies (store_admin.h). */
    int (*backup)(store *s, const char *path);
    int (*restore)(store *s, const char *path);
};

struct store {
    const struct store_ops *ops;
    void *conn;
    int tx_depth;
    char err[512];
};

extern const struct store_ops store__sqlite_ops;
#ifdef IKIIKI_HAVE_PG
extern const struct store_ops store__pg_ops;
#endif

/* Records a one-line error on the handle and returns code. */
int store__fail(store *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int store__query(store *s, const char *sql, const struct store_arg *args, int nargs,
                 store_row_fn fn, void *ud);
/* Runs a statement expecting no rows; *changes gets the number of rows touched (may be NULL). */
int store__exec_args(store *s, const char *sql, const struct store_arg *args, int nargs,
                     int64_t *changes);
/* Runs an INSERT … RETURNING id and writes the id. */
int store__insert_id(store *s, const char *sql, const struct store_arg *args, int nargs,
                     int64_t *id);
/* Grows a malloc'd array of records of `size` bytes by one zeroed slot; NULL when out of memory. */
void *store__push(void **arr, size_t *n, size_t *cap, size_t size);
int64_t store__atoi(const char *s);
void store__copy(char *dst, size_t len, const char *src);

/* Decodes one row (columns as text, NULL for SQL NULL) into a record. */
typedef void (*store_decode_fn)(void *rec, const char *const *vals);
/* Runs a query for one record of `size` bytes into out; STORE_NOTFOUND when there is none. */
int store__get_one(store *s, const char *sql, const struct store_arg *args, int nargs, size_t size,
                   store_decode_fn decode, void *out);
/* Runs a query into a malloc'd array of records (the caller frees it). */
int store__list(store *s, const char *sql, const struct store_arg *args, int nargs, size_t size,
                store_decode_fn decode, void **out, size_t *n);

/* Embedded numbered migrations (generated from src/store/migrations/NNNN_name.sql). */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct store_migration store__migrations[];
extern const int store__nmigrations;

#endif
