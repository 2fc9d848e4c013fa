/*
 * blkif.h: Xen's block-device ring protocol as pv86 speaks it (docs/blkif.md),
 * binary-compatible with Xen's public io/blkif.h and io/ring.h for x86_32
 * (4-byte alignment of 64-bit fields, so the layout is the same when this
 * header is compiled for the host's unit tests). Our own code, Xen's layout.
 */
#ifndef PV86_BLKIF_H
#define PV86_BLKIF_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t blkif_ring_idx;    /* Xen's RING_IDX */
typedef uint32_t blkif_gref;        /* grant_ref_t */
typedef uint16_t blkif_vdev;        /* blkif_vdev_t */
typedef uint64_t blkif_sector;      /* blkif_sector_t: 512-byte units */

#define BLKIF_OP_READ             0
#define BLKIF_OP_WRITE            1
#define BLKIF_OP_WRITE_BARRIER    2
#define BLKIF_OP_FLUSH_DISKCACHE  3
#define BLKIF_OP_DISCARD          5
#define BLKIF_OP_INDIRECT         6

#define BLKIF_RSP_EOPNOTSUPP     (-2)
#define BLKIF_RSP_ERROR          (-1)
#define BLKIF_RSP_OKAY             0

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_SECTOR_SIZE        512u
#define BLKIF_PAGE_SIZE          4096u
#define BLKIF_SECTORS_PER_PAGE   (BLKIF_PAGE_SIZE / BLKIF_SECTOR_SIZE)   /* 8: last_sect <= 7 */

/* VDISK_* bits of the backend's "info" key */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#pragma pack(push, 4)
struct blkif_request_segment {
    blkif_gref gref;            /* 0: the data page's grant */
    uint8_t first_sect;         /* 4: first 512-byte sector of the page */
    uint8_t last_sect;          /* 5: last one, inclusive */
};                              /* 8 (2 bytes of padding) */

struct blkif_request {
    uint8_t operation;          /* 0: BLKIF_OP_* */
    uint8_t nr_segments;        /* 1 */
    blkif_vdev handle;          /* 2 */
    uint64_t id;                /* 4: echoed in the response */
    blkif_sector sector_number; /* 12: start sector on the device */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];   /* 20 */
};                              /* 108 */

struct blkif_response {
    uint64_t id;                /* 0 */
    uint8_t operation;          /* 8 */
    int16_t status;             /* 10: BLKIF_RSP_* */
};                              /* 12 */

union blkif_sring_entry {
    struct blkif_request req;
    struct blkif_response rsp;
};

/* The shared page: 64 bytes of indices and padding, then the entries. */
struct blkif_sring {
    blkif_ring_idx req_prod, req_event;     /* 0, 4 */
    blkif_ring_idx rsp_prod, rsp_event;     /* 8, 12 */
    uint8_t pvt_pad[4];                     /* 16 */
    uint8_t pad[44];                        /* 20 */
    union blkif_sring_entry ring[];         /* 64 */
};
#pragma pack(pop)

_Static_assert(sizeof(struct blkif_request_segment) == 8, "segment is 8 bytes");
_Static_assert(sizeof(struct blkif_request) == 108, "blkif_request is 108 bytes (x86_32)");
_Static_assert(offsetof(struct blkif_request, id) == 4, "id at 4");
_Static_assert(offsetof(struct blkif_request, sector_number) == 12, "sector_number at 12");
_Static_assert(offsetof(struct blkif_request, seg) == 20, "seg at 20");
_Static_assert(sizeof(struct blkif_response) == 12, "blkif_response is 12 bytes (x86_32)");
_Static_assert(offsetof(struct blkif_response, status) == 10, "status at 10");
_Static_assert(offsetof(struct blkif_sring, ring) == 64, "entries start at 64");

/* Xen's __RING_SIZE for one page: the entries that fit, rounded down to a
 * power of two: (4096 - 64) / 108 = 37 -> 32. */
#define BLKIF_RING_SIZE 32u
_Static_assert((BLKIF_PAGE_SIZE - 64) / sizeof(union blkif_sring_entry) >= BLKIF_RING_SIZE &&
               (BLKIF_PAGE_SIZE - 64) / sizeof(union blkif_sring_entry) < 2 * BLKIF_RING_SIZE,
               "32 entries in a page");

#endif
