/*
 * exec: the user programs built into the kernel image (pvguest/user, the
 * same ELF files in both flavours) and the loader for them. The images are
 * the kernel's own, but the loader still checks every field it uses.
 */
#include "kernel/kernel.h"

#include "lib/string.h"

/* Made by the build from the list of programs (build/.../programs.S). */
extern const struct program program_table[];
extern const uint32_t program_count;

const struct program *program_find(const char *name)
{
    for (uint32_t i = 0; i < program_count; i++)
        if (strcmp(program_table[i].name, name) == 0)
            return &program_table[i];
    return NULL;
}

struct elf_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
#define PT_LOAD 1
#define PF_W    2

int elf_load(struct aspace *as, const uint8_t *image, size_t size, uint32_t *entry)
{
    struct elf_header eh;
    if (size < sizeof(eh))
        return -ENOEXEC;
    memcpy(&eh, image, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF\1\1\1", 7) != 0 || eh.type != 2 || eh.machine != 3 ||
        eh.phentsize != sizeof(struct elf_phdr) || eh.phnum == 0 || eh.phnum > 16 ||
        eh.phoff > size || (size - eh.phoff) / sizeof(struct elf_phdr) < eh.phnum)
        return -ENOEXEC;
    uint32_t top = USER_BASE;
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct elf_phdr ph;
        memcpy(&ph, image + eh.phoff + i * sizeof(ph), sizeof(ph));
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        uint32_t start = PAGE_DOWN(ph.vaddr), end = ph.vaddr + ph.memsz;
        if (ph.filesz > ph.memsz || ph.offset > size || size - ph.offset < ph.filesz ||
            ph.vaddr < USER_BASE || end < ph.vaddr || end > USER_MMAP_BASE)
            return -ENOEXEC;
        end = PAGE_UP(end);
        uint32_t prot = PROT_READ | PROT_EXEC | ((ph.flags & PF_W) ? PROT_WRITE : 0);
        int rc = vm_map_region(as, start, end, prot);
        if (rc)
            return rc == -EINVAL ? -ENOEXEC : rc;
        if ((rc = vm_fill(as, ph.vaddr, image + ph.offset, ph.filesz)))
            return rc;
        if (end > top)
            top = end;
    }
    if (eh.entry < USER_BASE || eh.entry >= top)
        return -ENOEXEC;
    as->brk_start = as->brk = top;
    *entry = eh.entry;
    return 0;
}
