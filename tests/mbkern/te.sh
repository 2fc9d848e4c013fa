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
# The cases te passes: pse (non-PAE paging, 4 MiB pages, CR0.WP clear),
# fwcfg, pci, mboot, mboot-modules. Those it cannot, and why:
#   lapic   the local APIC: te emulates no IA32_APIC_BASE MSR (rdmsr 0x1B
#           is #GP) and maps no LAPIC MMIO page (docs/census.md)
#   intnp   its check programs the LAPIC (MMIO at 0xfee00000: te crashes
#           the domain, "beyond the guest's memory")
#   cr8     the LAPIC's TPR through MMIO, as intnp; and CPUID is the real
#           CPU's under te (not intercepted)
#   gdt64k  segment loads, lar, sgdt and far jumps run on the real CPU
#           (sensitive, not privileged; sgdt traps only with UMIP) and see
#           the shadow GDT: ring-compressed descriptors (lar: DPL 1), the
#           accessed bit set there, not in the guest's table (the te
#           demonstration, docs/census.md)
TE_MBKERN_CASES="pse fwcfg pci mboot mboot-modules"

mbkern_pick_case() {   # mbkern_pick_case NAME ...: mbkern_hw_case if NAME is wanted
    case " $mbkern_wanted " in
    *" $1 "*) mbkern_hw_case "$@" ;;
    esac
}

mbkern_vm_some() {   # mbkern_vm_some MODE NAME...
    vm_mode=$1
    shift
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

# shellcheck disable=SC2086
mbkern_te() { mbkern_vm_some te $TE_MBKERN_CASES; }
