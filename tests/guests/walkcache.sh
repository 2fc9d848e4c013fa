# Sourced by tests/guests/run.sh: the walk cache's remembered translations
# (issue 18 review; tests/guests/attack/walkcache.c), as a domU beside the
# innocent domain (d1) and as d1 beside it (d2): a copy never reaches a
# frame the page no longer maps, nor writes one mapped read-only.

walkcache_ok() {   # walkcache_ok ATTACKER_DOMAIN INNOCENT_DOMAIN
    local a=$1 i=$2
    tap_passes "$a"
    line "\(d$a\) 1\.\.13"
    line "\(d$a\) walk-cache: remembered translations follow every change of the mapping"
    beside_innocent_ok "$a" "$i"
}

beside_innocent_both attack-walkcache walk-cache walkcache_ok
