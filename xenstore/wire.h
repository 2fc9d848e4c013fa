/*
 * The xenstore wire protocol, binary-compatible with Xen's
 * xen/include/public/io/xs_wire.h (written for pv86 from the published
 * layout: message header, type numbers, ring page, limits, error names).
 * Used by the xenstore domain (freestanding -m32) and the host unit tests.
 */
#ifndef XENSTORE_WIRE_H
#define XENSTORE_WIRE_H

#include <stdint.h>

/* Message types: the numbers are Xen's enum xsd_sockmsg_type. */
enum xsd_sockmsg_type {
    XS_CONTROL = 0,             /* XS_DEBUG in older headers */
    XS_DIRECTORY = 1,
    XS_READ = 2,
    XS_GET_PERMS = 3,
    XS_WATCH = 4,
    XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6,
    XS_TRANSACTION_END = 7,
    XS_INTRODUCE = 8,
    XS_RELEASE = 9,
    XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11,
    XS_MKDIR = 12,
    XS_RM = 13,
    XS_SET_PERMS = 14,
    XS_WATCH_EVENT = 15,
    XS_ERROR = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME = 18,
    XS_SET_TARGET = 19,
    XS_RESTRICT = 20,           /* obsolete in Xen, never implemented here */
    XS_RESET_WATCHES = 21,
    XS_DIRECTORY_PART = 22,
    XS_GET_FEATURE = 23,
    XS_SET_FEATURE = 24,
    XS_GET_QUOTA = 25,
    XS_SET_QUOTA = 26,
    XS_TYPE_COUNT,
    XS_INVALID = 0xffff
};
#define XS_DEBUG XS_CONTROL

/* Every message: this header, then len bytes (usually NUL-terminated strings). */
struct xsd_sockmsg {
    uint32_t type;              /* XS_* */
    uint32_t req_id;            /* echoed in the reply */
    uint32_t tx_id;             /* transaction id, 0 for none */
    uint32_t len;               /* bytes that follow */
};

/* The two strings of an XS_WATCH_EVENT payload. */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN = 1 };

/* The shared ring page (Xen's struct xenstore_domain_interface). */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];       /* requests to the store */
    char rsp[XENSTORE_RING_SIZE];       /* replies and watch events */
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features;           /* XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;                /* XENSTORE_CONNECTED / _RECONNECT */
    uint32_t error;                     /* XENSTORE_ERROR_* */
    uint32_t evtchn_port;
};

#define XENSTORE_PAYLOAD_MAX 4096       /* longer: the connection is dropped */
#define XENSTORE_ABS_PATH_MAX 3072      /* longer paths: an error back */
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_SERVER_FEATURE_ERROR 2

#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

#define XENSTORE_ERROR_NONE 0
#define XENSTORE_ERROR_COMM 1
#define XENSTORE_ERROR_RINGIDX 2
#define XENSTORE_ERROR_PROTO 3          /* payload too long */

/* XS_WRITE flags of old clients (strings), as Xen's header names them. */
#define XS_WRITE_NONE "NONE"
#define XS_WRITE_CREATE "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as strings (an XS_ERROR reply carries "ENOENT\0").
 * pv86's store code uses these small numbers internally; xs_error_name()
 * gives the string, in the order of Xen's xsd_errors table.
 */
enum xs_err {
    XS_OK = 0,
    XSE_EINVAL, XSE_EACCES, XSE_EEXIST, XSE_EISDIR, XSE_ENOENT, XSE_ENOMEM,
    XSE_ENOSPC, XSE_EIO, XSE_ENOTEMPTY, XSE_ENOSYS, XSE_EROFS, XSE_EBUSY,
    XSE_EAGAIN, XSE_EISCONN, XSE_E2BIG, XSE_EPERM,
    XSE_COUNT
};

static inline const char *xs_error_name(int e)
{
    static const char *const names[XSE_COUNT] = {
        "OK", "EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM",
        "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN",
        "EISCONN", "E2BIG", "EPERM",
    };
    return e > 0 && e < XSE_COUNT ? names[e] : "EINVAL";   /* Xen: untranslatable -> EINVAL */
}

#endif /* XENSTORE_WIRE_H */
