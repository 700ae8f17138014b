#include "core/err.h"

#include "core/util.h"

static const struct {
    int code;
    const char *text;
} texts[] = {
    {IK_OK, "success"},
    {IK_EFAIL, "failed"},
    {IK_ENOENT, "not found"},
    {IK_EIO, "input/output error"},
    {IK_ENOMEM, "out of memory"},
    {IK_EACCES, "not allowed"},
    {IK_EBUSY, "not in a state that allows it"},
    {IK_EEXIST, "already done"},
    {IK_EINVAL, "invalid input"},
    {IK_EFBIG, "too big"},
    {IK_ENOSPC, "full"},
    {IK_EILSEQ, "cannot be encoded"},
    {IK_EPROTO, "protocol error"},
    {IK_ECANCELED, "stopped"},
    {IK_ECONFLICT, "already exists or is still in use"},
    {IK_EBADURL, "not a database URL"},
    {IK_ENOBACKEND, "database backend not compiled in"},
    {IK_ETOONEW, "database made by a newer ikiiki"},
};

const char *ik_strerror(int code)
{
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (texts[i].code == code)
            return texts[i].text;
    return "unknown error";
}
