# shellcheck shell=bash disable=SC2154
# The mbkern kernels under te (sourced by tests/mbkern/run.sh:
# `tests/mbkern/run.sh --mode te [BUILD_DIR]`; make test runs it). Each
# case as under hw (mbkern_hw_case in hw.sh): bare QEMU's exit status and
# its report lines, through tools/run-qemu --mode te.
#
# mbkern_vm_some MODE NAME... runs only the named cases of mbkern_cases
# (cases.sh) under MODE: for a mode that cannot pass them all (te here;
# bt's list may be another). MBKERN_ALL=1 runs every case instead (to see
# what a mode cannot do yet).
#
# The cases te passes: lapic (IA32_APIC_BASE through the platform, the
# LAPIC page's MMIO emulated on the shared page-fault path: vm/mmio.c),
# pse (non-PAE paging, 4 MiB pages, CR0.WP clear), ptkeep (page tables
# changed between CR3 writes in a shared slot), fwcfg, pci, intnp (a
# not-present IDT gate raises #NP), cr8 (lock mov CR0, the CR8 alias: the
# LAPIC's TPR), mboot, mboot-modules. The one it cannot, and why:
#   gdt64k  segment loads, lar and far jumps run on the real CPU
#           (sensitive, not privileged) and see the shadow GDT:
#           ring-compressed descriptors (lar: DPL 1, a handler's CS with
#           RPL 1), the stack segment 0xfff8 the guest's ring 0 loads is
#           DPL 1 in the shadow (the te demonstration, docs/census.md)
TE_MBKERN_CASES="lapic pse ptkeep fwcfg pci intnp cr8 mboot mboot-modules"

mbkern_pick_case() {   # mbkern_pick_case NAME ...: mbkern_hw_case if NAME is wanted
    case " $mbkern_wanted " in
    *" $1 "*) mbkern_hw_case "$@" ;;
    esac
}

mbkern_vm_some() {   # mbkern_vm_some MODE NAME...
    vm_mode=$1
    shift
    # The CPU bare QEMU runs them on (run.sh: -cpu max), where the kernels
    # find UMIP (te: sgdt/sidt trap) and the CR8 alias; unless QEMU_EXTRA
    # names another.
    case " ${QEMU_EXTRA:-} " in
    *" -cpu "*) ;;
    *) export QEMU_EXTRA="${QEMU_EXTRA:+$QEMU_EXTRA }-cpu max" ;;
    esac
    if [ -n "${MBKERN_ALL:-}" ]; then
        mbkern_vm "$vm_mode"
        return
    fi
    mbkern_wanted="$*"
    hwlogs=$build/mbkern-$vm_mode-logs
    mkdir -p "$hwlogs"
    mbkern_modules
    mbkern_cases mbkern_pick_case
}

# gdt64k under te: every check but the four ring compression shows (2:
# movl %ds reads RPL 1; 6: movl %cs after a far jump; 7: lar's DPL 1; 8: a
# gate's handler runs with CS RPL 1), the accessed bit (3) among them,
# written into the guest's descriptor at the entry's fill (vm/vgdt.c):
# status (4 << 1) | 1, and bare QEMU's report lines but those four.
TE_GDT64K_FAILS="2 6 7 8"
mbkern_te_gdt64k() {
    local name=gdt64k status log=$hwlogs/gdt64k-te.log drop
    problems=()
    "$top/tools/run-qemu" --mode te --timeout "$HW_TIMEOUT" "$build/hypervisor.elf" \
        "$build/mbkern/gdt64k.elf" < /dev/null > "$log" 2>&1
    status=$?
    tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
    [ "$status" = 9 ] || problems+=("exit status $status, te's known one is 9 (4 checks fail)")
    drop=$(for i in $TE_GDT64K_FAILS; do printf '^(not )?ok %s - |' "$i"; done)
    drop=${drop%|}
    if ! diff -u <(report_lines < "$expect/$name" | grep -Ev "$drop") \
            <(report_lines < "$log" | grep -Ev "$drop") > "$log.diff"; then
        problems+=("report lines (but checks $TE_GDT64K_FAILS) differ from tests/mbkern/expect/$name:")
        while IFS= read -r l; do problems+=("  $l"); done < <(head -40 "$log.diff")
    fi
    finish "te: gdt64k, but the checks ring compression shows"
}

# shellcheck disable=SC2086
mbkern_te() {
    mbkern_vm_some te $TE_MBKERN_CASES
    [ -n "${MBKERN_ALL:-}" ] || mbkern_te_gdt64k
}
