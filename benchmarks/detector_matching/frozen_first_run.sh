#!/usr/bin/env bash
# The frozen bundle as an operator meets it: an installed, read-only program folder, new
# user accounts (empty home, no data folder, no kernel cache, no stored bound prices),
# `pharos match run POOL --time-limit T` twice per account (cold: the account's first run;
# warm: its second, same pool), and the checks of issue 21 item 1.
#
#   benchmarks/detector_matching/frozen_first_run.sh PROGRAM_FOLDER [--seed 11,12]
#       [--limit 5,1] [--users 2] [--work DIR] [--as ACCOUNT]
#
# PROGRAM_FOLDER: an installed bundle (installer/linux/install.sh --prefix DIR), made
# read-only first (chmod -R a-w DIR). For every limit and every user: a new account (fresh
# HOME), `match generate --seed S` (400 slots / 440 modules, PX-48; user u takes the u-th
# seed of --seed, cycling), then two runs. One table line per run: wall time (the whole
# command: start-up, kernel load, pool import, search, JSON), `seconds` (the search clock
# the result reports), `answer` (the JSON's total_seconds - pre_clock_seconds: optimiser
# called -> result written), `kernel_seconds` (loading / compiling the kernels, before the
# clock), the certified gap, whether the run compiled kernels (stderr says "compiled the
# optimiser's kernels"), `bound_start` (where the bound's ascent started: gilmore_lawler on
# a cold account, file when the prices of the account's earlier run were read from its
# data folder), the number of stored price files in the account's data folder
# (cache/detector_matching/duals), and the start-up of the bare executable (`pharos
# version`) for comparison. --as ACCOUNT (run by root): the runs are made by that account
# (e.g. nobody), not by the one that installed the program - as on a workstation.
#
# Checks (exit 1 and a FAIL line when one does not hold): no run compiled kernels; search
# and answer within limit x 1.05; every warm run started its bound from the stored file;
# every account's price file is in its own data folder; the program folder is unchanged
# (path, size, mtime, mode of every entry, listed before and after all runs).
set -euo pipefail
PROG="${1:?usage: $0 PROGRAM_FOLDER [--seed S[,S..]] [--limit T[,T..]] [--users N] [--work DIR] [--as ACCOUNT]}"; shift
SEEDS=11,12; LIMITS=5,1; USERS=2; WORK=""; AS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) SEEDS="$2"; shift ;;
        --limit) LIMITS="$2"; shift ;;
        --users) USERS="$2"; shift ;;
        --work) WORK="$2"; shift ;;
        --as) AS="$2"; shift ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done
IFS=, read -r -a SEED_LIST <<< "$SEEDS"
IFS=, read -r -a LIMIT_LIST <<< "$LIMITS"
B="$PROG/pharos"
[ -x "$B" ] || { echo "no pharos executable in $PROG" >&2; exit 1; }
if [ -z "$AS" ] && [ "$(id -u)" = 0 ]; then
    echo "note: run as root, who writes into an a-w folder anyway (--as ACCOUNT runs as an operator)" >&2
elif [ -z "$AS" ] && [ -w "$PROG" ]; then
    echo "note: $PROG is writable (chmod -R a-w it for the read-only case)" >&2
fi
[ -n "$WORK" ] || WORK="$(mktemp -d)"     # (kept afterwards: the runs' JSON and stderr)
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
listing() { find "$PROG" -printf '%P\t%y\t%s\t%T@\t%m\n' | LC_ALL=C sort; }
kernel_files() {  # name, size, mtime of a kernel cache folder's files (none: empty)
    { find "$1" -maxdepth 1 -type f -printf '%f\t%s\t%T@\n' 2>/dev/null || true; } | LC_ALL=C sort
}

listing > "$WORK/program-before.txt"
kernel_files "$PROG/numba_cache/detector_matching" > "$WORK/shipped-kernels.txt"
[ -s "$WORK/shipped-kernels.txt" ] || echo "note: no kernels shipped in $PROG/numba_cache" >&2
ROWS="$WORK/rows.tsv"; : > "$ROWS"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for limit in "${LIMIT_LIST[@]}"; do
    for u in $(seq 1 "$USERS"); do
        seed="${SEED_LIST[$(( (u - 1) % ${#SEED_LIST[@]} ))]}"
        H="$WORK/newuser-l$limit-u$u"
        rm -rf "$H"; mkdir -p "$H"
        [ -n "$AS" ] && chown "$AS" "$H"
        t0=$(now); clean_env "$H" "$B" version >/dev/null; t1=$(now)
        STARTUP=$(echo "$t1 - $t0" | bc)
        clean_env "$H" "$B" match generate --seed "$seed" --out "$H/pool.parquet" 2>/dev/null
        for run in cold warm; do
            t0=$(now)
            clean_env "$H" "$B" match run "$H/pool.parquet" --time-limit "$limit" \
                --json "$H/$run.json" 2>"$H/$run.err" || true
            t1=$(now)
            WALL=$(echo "$t1 - $t0" | bc)
            COMPILED=no
            grep -q "compiled the optimiser's kernels" "$H/$run.err" && COMPILED=YES
            DUALS=$({ find "$H/.local/share/pharos/cache/detector_matching/duals" -name '*.npz' \
                    2>/dev/null || true; } | wc -l)
            # kernel cache files the account has that the installation did not ship
            # (a kernel numba compiled during the run, outside the warm-up's count)
            NEWK=$(kernel_files "$H/.local/share/pharos/cache/numba/detector_matching" |
                   LC_ALL=C comm -23 - "$WORK/shipped-kernels.txt" | wc -l)
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "u$u" "$seed" "$limit" "$run" \
                "$WALL" "$COMPILED" "$DUALS" "$STARTUP" "$H/$run.json" \
                "$(cut -d' ' -f1 /proc/loadavg)" "$NEWK" >> "$ROWS"
        done
    done
done
listing > "$WORK/program-after.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$ROWS" "$WORK/program-before.txt" "$WORK/program-after.txt" <<'EOF'
import json, os, sys
rows_path, before, after = sys.argv[1:]
fails = []
print(f"{'user':<5} {'seed':>4} {'limit':>5} {'run':<5} {'wall_s':>7} {'search_s':>8} "
      f"{'answer_s':>8} {'kernel_s':>8} {'gap_%':>6} {'compiled':>8} {'bound_start':<14} "
      f"{'duals':>5} {'new_kern':>8} {'startup_s':>9} {'load1':>5}")
for line in open(rows_path):
    user, seed, limit, run, wall, compiled, duals, startup, path, load, newk = \
        line.rstrip("\n").split("\t")
    tag = f"{user} seed {seed} limit {limit} {run}"
    limit = float(limit)
    if not os.path.exists(path):
        fails.append(f"{tag}: no result ({path[:-5]}.err)")
        print(f"{user:<5} {seed:>4} {limit:5g} {run:<5} {float(wall):7.2f}  (no result)")
        continue
    s = json.load(open(path))
    gap = s["gap"]
    answer = s["total_seconds"] - s["pre_clock_seconds"]
    start = s.get("bound_start") or "-"
    print(f"{user:<5} {seed:>4} {limit:5g} {run:<5} {float(wall):7.2f} {s['seconds']:8.2f} "
          f"{answer:8.2f} {s['kernel_seconds']:8.2f} "
          f"{'nan' if gap is None else f'{100 * gap:.2f}':>6} {compiled:>8} {start:<14} "
          f"{duals:>5} {newk:>8} {float(startup):9.2f} {load:>5}")
    if compiled != "no":
        fails.append(f"{tag}: compiled the kernels")
    if int(newk):
        fails.append(f"{tag}: {newk} kernel cache files not shipped (compiled during the run)")
    if s["seconds"] > 1.05 * limit:
        fails.append(f"{tag}: search {s['seconds']:.2f} s > limit + 5 %")
    if answer > 1.05 * limit:
        fails.append(f"{tag}: answer {answer:.2f} s after the clock started > limit + 5 %")
    if run == "warm" and start != "file":
        fails.append(f"{tag}: bound_start {start}, not the stored prices (file)")
    if int(duals) < 1:
        fails.append(f"{tag}: no stored prices in the account's data folder")
b, a = open(before).read().splitlines(), open(after).read().splitlines()
if a != b:
    changed = sorted(set(a) ^ set(b))
    fails.append(f"program folder changed: {len(changed)} entries, e.g. {changed[:3]}")
else:
    print(f"program folder unchanged ({len(b)} entries: path, size, mtime, mode)")
for f in fails:
    print("FAIL:", f)
print("all checks passed" if not fails else f"{len(fails)} checks failed")
sys.exit(1 if fails else 0)
EOF
