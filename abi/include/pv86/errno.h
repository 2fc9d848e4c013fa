/*
 * pv86 ABI: error numbers returned by hypercalls (as negative values in EAX).
 * The values are Xen's (and Linux's) x86 errno values.
 */
#ifndef PV86_ERRNO_H
#define PV86_ERRNO_H

#define XEN_EPERM        1   /* operation not permitted */
#define XEN_ENOENT       2   /* no such entry */
#define XEN_ESRCH        3   /* no such domain */
#define XEN_EINTR        4   /* interrupted */
#define XEN_EIO          5   /* I/O error */
#define XEN_E2BIG        7   /* argument list too long */
#define XEN_EBADF        9   /* bad file (port) number */
#define XEN_EAGAIN      11   /* try again */
#define XEN_ENOMEM      12   /* out of memory */
#define XEN_EACCES      13   /* permission denied */
#define XEN_EFAULT      14   /* bad guest address */
#define XEN_EBUSY       16   /* resource busy */
#define XEN_EEXIST      17   /* already exists */
#define XEN_ENODEV      19   /* no such device */
#define XEN_EINVAL      22   /* invalid argument */
#define XEN_ENOSPC      28   /* no space left */
#define XEN_ERANGE      34   /* result out of range */
#define XEN_ENOSYS      38   /* hypercall not implemented */
#define XEN_ETIME       62   /* a timer deadline already passed */
#define XEN_EOPNOTSUPP  95   /* operation not supported */

#endif /* PV86_ERRNO_H */
