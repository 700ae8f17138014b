/* err: the one error namespace. Every function that can fail returns 0 or one of these
 * negative codes; module headers name their codes as aliases of them (GUARD_ENOTFOUND is
 * IK_ENOENT), so −2 means "not found" wherever it comes from. The errno-based codes are
 * −errno (as libuv and systemd do); the store's own codes sit below −4000, away from errno. */
#ifndef IKIIKI_ERR_H
#define IKIIKI_ERR_H

#include <errno.h>

enum {
    IK_OK = 0,
    /* The operation failed and its message (err, store_errmsg) says why. Kept at −1 because
     * the small helpers of the tree (str_copy, parse_int64, buf_*) fail with −1. */
    IK_EFAIL = -1,
    IK_ENOENT = -ENOENT,       /* no such thing: row, call, file */
    IK_EIO = -EIO,             /* reading or writing a file or socket failed */
    IK_ENOMEM = -ENOMEM,       /* out of memory */
    IK_EACCES = -EACCES,       /* the principal may not do this */
    IK_EBUSY = -EBUSY,         /* not in a state that allows it (call ended, nothing to confirm) */
    IK_EEXIST = -EEXIST,       /* already done (reviewed): amend to change it */
    IK_EINVAL = -EINVAL,       /* bad input; the message says what and where */
    IK_EFBIG = -EFBIG,         /* over a size limit */
    IK_ENOSPC = -ENOSPC,       /* a table is full (the call guard's or the media server's calls) */
    IK_EILSEQ = -EILSEQ,       /* text cannot be held in the wanted encoding (CP932) */
    IK_EPROTO = -EPROTO,       /* the peer broke the protocol */
    IK_ECANCELED = -ECANCELED, /* a callback asked to stop */
    /* The store's own codes. */
    IK_ECONFLICT = -4001,  /* a unique or foreign-key rule would break */
    IK_EBADURL = -4002,    /* the --db URL is not one we understand */
    IK_ENOBACKEND = -4003, /* the store's backend was not compiled in */
    IK_ETOONEW = -4004,    /* the database was migrated by a newer ikiiki */
};

/* A short English phrase for code ("not found"); never NULL. Static storage. */
const char *ik_strerror(int code);

#endif
