/*
 * file: what a descriptor names: the console or one end of a pipe. Data
 * moves between user memory and the kernel through small bounce buffers.
 * Console input arrives from the arch's input interrupt into a ring.
 */
#include "kernel/kernel.h"

#include "lib/string.h"

#define PIPE_SIZE 512
#define NFILES    64
#define NPIPES    16

enum file_type { F_NONE, F_CONSOLE, F_PIPE_READ, F_PIPE_WRITE };
struct pipe {
    int used;
    uint8_t buf[PIPE_SIZE];
    uint32_t rpos, wpos;            /* free-running */
    int readers, writers;
};
struct file {
    enum file_type type;
    int refs;
    struct pipe *pipe;
};

static struct file files[NFILES];
static struct pipe pipes[NPIPES];
static struct file console = { F_CONSOLE, 1, NULL };

static struct {
    char buf[256];
    uint32_t rpos, wpos;
} input;

struct file *file_console(void)
{
    console.refs++;
    return &console;
}

void file_get(struct file *f)
{
    f->refs++;
}

void file_put(struct file *f)
{
    KASSERT(f->refs > 0);
    if (--f->refs)
        return;
    if (f->type == F_PIPE_READ || f->type == F_PIPE_WRITE) {
        struct pipe *p = f->pipe;
        if (f->type == F_PIPE_READ)
            p->readers--;
        else
            p->writers--;
        wakeup(p);
        if (!p->readers && !p->writers)
            p->used = 0;
    }
    f->type = F_NONE;
}

static struct file *file_alloc(enum file_type type, struct pipe *p)
{
    for (int i = 0; i < NFILES; i++)
        if (files[i].type == F_NONE) {
            files[i].type = type;
            files[i].refs = 1;
            files[i].pipe = p;
            return &files[i];
        }
    return NULL;
}

int pipe_create(struct file **rd, struct file **wr)
{
    struct pipe *p = NULL;
    for (int i = 0; i < NPIPES && !p; i++)
        if (!pipes[i].used)
            p = &pipes[i];
    if (!p)
        return -EMFILE;
    memset(p, 0, sizeof(*p));
    *rd = file_alloc(F_PIPE_READ, p);
    *wr = *rd ? file_alloc(F_PIPE_WRITE, p) : NULL;
    if (!*wr) {
        if (*rd)
            (*rd)->type = F_NONE;
        return -EMFILE;
    }
    p->used = 1;
    p->readers = p->writers = 1;
    return 0;
}

void console_input(char c)
{
    if (input.wpos - input.rpos < sizeof(input.buf))
        input.buf[input.wpos++ % sizeof(input.buf)] = c;
    wakeup(&input);
}

static int console_read(uint32_t ubuf, uint32_t n)
{
    while (input.wpos == input.rpos) {
        if (current->killed)
            return -EINTR;
        sleep_on(&input);
    }
    char tmp[sizeof(input.buf)];
    uint32_t got = 0;
    while (got < n && got < sizeof(tmp) && input.rpos != input.wpos) {
        char c = input.buf[input.rpos++ % sizeof(input.buf)];
        tmp[got++] = c;
        if (c == '\n')
            break;
    }
    return copy_to_user(&current->as, ubuf, tmp, got) ? -EFAULT : (int)got;
}

static int pipe_read(struct pipe *p, uint32_t ubuf, uint32_t n)
{
    while (p->wpos == p->rpos) {
        if (!p->writers)
            return 0;                       /* end of file */
        if (current->killed)
            return -EINTR;
        sleep_on(p);
    }
    uint8_t tmp[PIPE_SIZE];
    uint32_t got = 0;
    while (got < n && p->rpos != p->wpos)
        tmp[got++] = p->buf[p->rpos++ % PIPE_SIZE];
    wakeup(p);
    return copy_to_user(&current->as, ubuf, tmp, got) ? -EFAULT : (int)got;
}

static int pipe_write(struct pipe *p, uint32_t ubuf, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        if (!p->readers)
            return done ? (int)done : -EPIPE;
        uint32_t room = PIPE_SIZE - (p->wpos - p->rpos);
        if (!room) {
            if (current->killed)
                return done ? (int)done : -EINTR;
            sleep_on(p);
            continue;
        }
        uint8_t tmp[PIPE_SIZE];
        uint32_t chunk = n - done < room ? n - done : room;
        if (copy_from_user(&current->as, tmp, ubuf + done, chunk))
            return done ? (int)done : -EFAULT;
        for (uint32_t i = 0; i < chunk; i++)
            p->buf[p->wpos++ % PIPE_SIZE] = tmp[i];
        done += chunk;
        wakeup(p);
    }
    return (int)done;
}

int file_read(struct file *f, uint32_t ubuf, uint32_t n)
{
    if (n == 0)
        return 0;
    switch (f->type) {
    case F_CONSOLE: return console_read(ubuf, n);
    case F_PIPE_READ: return pipe_read(f->pipe, ubuf, n);
    default: return -EBADF;
    }
}

int file_write(struct file *f, uint32_t ubuf, uint32_t n)
{
    if (f->type == F_PIPE_WRITE)
        return pipe_write(f->pipe, ubuf, n);
    if (f->type != F_CONSOLE)
        return -EBADF;
    uint32_t done = 0;
    while (done < n) {
        char tmp[256];
        uint32_t chunk = n - done < sizeof(tmp) ? n - done : (uint32_t)sizeof(tmp);
        if (copy_from_user(&current->as, tmp, ubuf + done, chunk))
            return done ? (int)done : -EFAULT;
        arch_console_write(tmp, chunk);
        done += chunk;
    }
    return (int)done;
}
