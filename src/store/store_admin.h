/* store_admin: whole-database work for the people who run ikiiki: backups, restores, per-table
 * row counts and checksums, and copying every table into another store (the move from SQLite to
 * PostgreSQL). */
#ifndef IKIIKI_STORE_ADMIN_H
#define IKIIKI_STORE_ADMIN_H

#include "store.h"

struct store_table_sum {
    char table[64];
    int64_t rows;
    /* Hex of an order-free sum of each row's BLAKE2b hash over its columns by name, so that the
     * same rows give the same sum on either backend (numbers with a fraction are compared as
     * 15 significant digits, the precision both backends print alike). */
    char sum[33];
};

/* Every table of the schema but schema_migrations (whose times differ from store to store), in
 * the order they were made on SQLite, by name on PostgreSQL. A malloc'd array the caller frees. */
int store_table_sums(store *s, struct store_table_sum **out, size_t *n);
/* Rows in every table but schema_migrations. */
int store_rows_total(store *s, int64_t *rows);

/* SQLite only (STORE_NOBACKEND otherwise): a consistent copy of the whole database written to
 * path with SQLite's online backup API while other connections go on reading and writing; the
 * file appears whole (written beside it, then renamed). */
int store_backup(store *s, const char *path);
/* SQLite only: replaces the whole database with the SQLite file at path (checked first: an ikiiki
 * database no newer than this build, passing quick_check). Refuses (STORE_CONFLICT) a database
 * that holds rows unless force. The caller migrates afterwards. */
int store_restore(store *s, const char *path, int force);

/* PostgreSQL only: opens a read-only repeatable-read transaction on s and exports its snapshot,
 * whose id (into id, 64 bytes) pg_dump --snapshot reads: the dump and the checksums read on s
 * afterwards see the same moment. End it with store_rollback. */
int store_snapshot_export(store *s, char *id, size_t idlen);

/* Copies every table of src (SQLite) into dst (any backend, migrated to the same schema version,
 * holding no rows: else STORE_CONFLICT) in one transaction on dst, sets dst's id counters past
 * the copied ids, and compares row counts and checksums table by table before committing; on a
 * difference nothing is kept and the error names the table. sums (may be NULL) gets dst's
 * checksums as committed (malloc'd; the caller frees). Nothing else may write to src meanwhile. */
int store_copy_all(store *src, store *dst, struct store_table_sum **sums, size_t *n);

#endif
