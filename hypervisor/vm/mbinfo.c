/*
 * mbinfo: the multiboot information block and the module placement (see
 * mbinfo.h).
 */
#include "vm/mbinfo.h"

#include <multiboot/multiboot.h>
#include <string.h>

#define PAGE 4096u

static uint64_t page_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static uint64_t strings_size(const struct mb_guest *g)
{
    uint64_t n = strlen(g->prefix) + strlen(g->cmdline) + 1 + sizeof(MB_LOADER_NAME);
    for (unsigned i = 0; i < g->nmods; i++)
        n += strlen(g->mods[i].string) + 1;
    return n;
}

int mb_info_plan(const struct mb_guest *g, uint32_t *mod_gpa, const char **why,
                 uint64_t *need, uint64_t *have)
{
    if (g->nmods > MB_MAX_MODULES) {
        *why = "more modules than the loader's list holds";
        *need = g->nmods;
        *have = MB_MAX_MODULES;
        return -1;
    }
    uint64_t s = strings_size(g);
    if (s > MB_LOW_END - MB_STRINGS_GPA) {
        *why = "the command line and the module strings are longer than the loader's area for them";
        *need = s;
        *have = MB_LOW_END - MB_STRINGS_GPA;
        return -1;
    }
    uint64_t ram = (uint64_t)g->ram_pages * PAGE;
    uint64_t at = page_up(g->kend), end = g->kend;
    for (unsigned i = 0; i < g->nmods && end <= ram; i++) {
        mod_gpa[i] = (uint32_t)at;      /* at <= ram < 4 GiB here */
        end = at + g->mods[i].size;     /* the module's end, not rounded up */
        at = page_up(end);
    }
    if (end > ram) {
        *why = "the kernel and its modules do not fit the guest's memory";
        *need = end;
        *have = ram;
        return -1;
    }
    return 0;
}

static uint32_t put_string(uint8_t *low, uint32_t *at, const char *a, const char *b)
{
    uint32_t gpa = *at;
    size_t la = strlen(a), lb = strlen(b);
    memcpy(low + (gpa - MB_LOW_BASE), a, la);
    memcpy(low + (gpa - MB_LOW_BASE) + la, b, lb + 1);
    *at += (uint32_t)(la + lb + 1);
    return gpa;
}

void mb_info_build(const struct mb_guest *g, const uint32_t *mod_gpa, uint8_t *low)
{
    memset(low, 0, MB_LOW_SIZE);
    multiboot_info_t *mbi = (multiboot_info_t *)(void *)(low + (MB_INFO_GPA - MB_LOW_BASE));
    uint32_t ram_kb = g->ram_pages * (PAGE / 1024);
    uint32_t at = MB_STRINGS_GPA;

    mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
                 MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
    mbi->mem_lower = 640;
    mbi->mem_upper = ram_kb - 1024;
    mbi->cmdline = put_string(low, &at, g->prefix, g->cmdline);
    mbi->boot_loader_name = put_string(low, &at, MB_LOADER_NAME, "");

    multiboot_module_t *mods = (multiboot_module_t *)(void *)(low + (MB_MODS_GPA - MB_LOW_BASE));
    for (unsigned i = 0; i < g->nmods; i++) {
        mods[i].mod_start = mod_gpa[i];
        mods[i].mod_end = mod_gpa[i] + g->mods[i].size;
        mods[i].cmdline = put_string(low, &at, g->mods[i].string, "");
        mods[i].pad = 0;
    }
    mbi->mods_count = g->nmods;
    mbi->mods_addr = MB_MODS_GPA;

    static const struct { uint64_t addr, end; uint32_t type; } map[MB_MMAP_ENTRIES] = {
        { 0, 0xA0000, MULTIBOOT_MEMORY_AVAILABLE },
        { 0xA0000, 0x100000, MULTIBOOT_MEMORY_RESERVED },
        { 0x100000, 0, MULTIBOOT_MEMORY_AVAILABLE },     /* to the end of RAM */
    };
    multiboot_memory_map_t *e = (multiboot_memory_map_t *)(void *)(low + (MB_MMAP_GPA - MB_LOW_BASE));
    for (unsigned i = 0; i < MB_MMAP_ENTRIES; i++) {
        uint64_t end = map[i].end ? map[i].end : (uint64_t)ram_kb * 1024;
        e[i].size = sizeof(e[i]) - sizeof(e[i].size);
        e[i].addr = map[i].addr;
        e[i].len = end - map[i].addr;
        e[i].type = map[i].type;
    }
    mbi->mmap_addr = MB_MMAP_GPA;
    mbi->mmap_length = MB_MMAP_ENTRIES * (uint32_t)sizeof(*e);
}
