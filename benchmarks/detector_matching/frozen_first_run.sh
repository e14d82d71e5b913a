#!/usr/bin/env bash
# The frozen bundle as an operator meets it: an installed, read-only program folder, a new
# user account (empty home, no data folder, no kernel cache), `pharos match run POOL
# --time-limit T` twice (cold: the account's first run; warm: its second).
#
#   benchmarks/detector_matching/frozen_first_run.sh PROGRAM_FOLDER [--seed 11] [--limit 5]
#       [--users 2] [--work DIR] [--as ACCOUNT]
#
# PROGRAM_FOLDER: an installed bundle (installer/linux/install.sh --prefix DIR), made
# read-only first (chmod -R a-w DIR). For every user: a fresh HOME, `match generate
# --seed S` (400 slots / 440 modules, PX-48), then two runs; one table line per run with
# wall time (whole command: start-up, kernel load, pool import, search, JSON), the search
# time the result reports (`seconds`), `kernel_seconds` (loading / compiling the kernels,
# before the clock), the certified gap, whether the run compiled kernels (stderr says
# "compiled the optimiser's kernels"), and the start-up of the bare executable
# (`pharos version`) for comparison. --as ACCOUNT (run by root): the runs are made by that
# account (e.g. nobody), not by the one that installed the program - as on a workstation.
set -euo pipefail
PROG="${1:?usage: $0 PROGRAM_FOLDER [--seed S] [--limit T] [--users N] [--work DIR]}"; shift
SEED=11; LIMIT=5; USERS=2; WORK="$(mktemp -d)"; AS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) SEED="$2"; shift ;;
        --limit) LIMIT="$2"; shift ;;
        --users) USERS="$2"; shift ;;
        --work) WORK="$2"; shift ;;
        --as) AS="$2"; shift ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done
B="$PROG/pharos"
[ -x "$B" ] || { echo "no pharos executable in $PROG" >&2; exit 1; }
[ -z "$AS" ] && [ -w "$PROG" ] && echo "note: $PROG is writable (chmod -R a-w it for the read-only case)" >&2
mkdir -p "$WORK"
AS_USER=()
if [ -n "$AS" ]; then
    chmod 0755 "$WORK"
    AS_USER=(runuser -u "$AS" --)
fi

clean_env() {  # a new account: nothing of the caller's environment but PATH and locale
    "${AS_USER[@]}" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen HOME="$1" "${@:2}"
}
now() { date +%s.%N; }

printf '%-8s %-5s %7s %7s %8s %7s %9s %8s\n' user run wall_s search_s kernel_s gap_% compiled startup_s
for u in $(seq 1 "$USERS"); do
    H="$WORK/newuser$u"
    rm -rf "$H"; mkdir -p "$H"
    [ -n "$AS" ] && chown "$AS" "$H"
    t0=$(now); clean_env "$H" "$B" version >/dev/null; t1=$(now)
    STARTUP=$(echo "$t1 - $t0" | bc)
    clean_env "$H" "$B" match generate --seed "$SEED" --out "$H/pool.parquet" 2>/dev/null
    for run in cold warm; do
        t0=$(now)
        clean_env "$H" "$B" match run "$H/pool.parquet" --time-limit "$LIMIT" \
            --json "$H/$run.json" 2>"$H/$run.err"
        t1=$(now)
        WALL=$(echo "$t1 - $t0" | bc)
        COMPILED=no
        grep -q "compiled the optimiser's kernels" "$H/$run.err" && COMPILED=YES
        python3 - "$H/$run.json" "$u" "$run" "$WALL" "$COMPILED" "$STARTUP" <<'EOF'
import json, sys
path, user, run, wall, compiled, startup = sys.argv[1:]
s = json.load(open(path))
gap = s["gap"]
print(f"{user:<8} {run:<5} {float(wall):7.2f} {s['seconds']:7.2f} {s['kernel_seconds']:8.2f} "
      f"{'nan' if gap is None else f'{100 * gap:7.2f}':>7} {compiled:>9} {float(startup):8.2f}")
EOF
    done
done
echo "cache of the last user: $(find "$H/.local/share/pharos/cache" -type f 2>/dev/null | wc -l) files" \
     "in $H/.local/share/pharos/cache" >&2
