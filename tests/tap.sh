# TAP helpers for the test scripts that run commands (sourced): check
# DESCRIPTION COMMAND... prints "ok N" or "not ok N" with the command's
# output as comments; the caller prints the plan from $n and fails when
# $failed is not 0.
n=0
failed=0

check() {   # check DESCRIPTION COMMAND...
    local desc=$1 output
    shift
    n=$((n + 1))
    if output=$("$@" 2>&1); then
        echo "ok $n - $desc"
    else
        failed=$((failed + 1))
        echo "not ok $n - $desc"
        printf '%s\n' "$output" | sed 's/^/# /'
    fi
}
