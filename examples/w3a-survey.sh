#!/usr/bin/env bash
# A W3A survey on a running Cloister network, driven with the CLI.
#
#   ./cloister devnet                              # in another terminal; prints the API URL
#   examples/w3a-survey.sh http://127.0.0.1:9933
#
# Steps: bob, charlie and dave each collect a small survey (CSV, encrypted on this machine into the storage network,
# each file's key escrowed to cluster 0) and list it for research; bob and charlie set a standing consent policy;
# eve's `SELECT *` is refused before anything is sent; eve submits
# `SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band`; dave sees the request and approves it by
# hand; a worker's enclave runs the job and eve opens the noised aggregates; every owner's earnings rise; the audit
# log shows the job. Exits non-zero as soon as a step fails. CLOISTER=path/to/cloister overrides the launcher.
set -euo pipefail

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}
[[ $# -eq 1 ]] || usage 2
[[ $1 == -h || $1 == --help ]] && usage 0
export CLOISTER_NODE=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLOISTER=${CLOISTER:-$HERE/../cloister}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step=0
step() { step=$((step + 1)); printf '\n== %d. %s\n' "$step" "$*"; }
fail() { printf '\nw3a-survey.sh: step %d FAILED: %s\n' "$step" "$*" >&2; exit 1; }
# Runs the CLI, echoing the command; its output goes to the terminal and to $WORK/out.
cl() {
    printf '$ cloister %s\n' "$*"
    if ! "$CLOISTER" "$@" > "$WORK/out" 2> "$WORK/err"; then
        cat "$WORK/out"; cat "$WORK/err" >&2
        fail "cloister $* exited non-zero"
    fi
    cat "$WORK/out"
}
# Runs the CLI expecting it to fail with error CODE.
refused() {
    local code=$1; shift
    printf '$ cloister %s   (must be refused: %s)\n' "$*" "$code"
    if "$CLOISTER" "$@" > "$WORK/out" 2> "$WORK/err"; then
        cat "$WORK/out"; fail "cloister $* was accepted"
    fi
    cat "$WORK/err"
    grep -q "$code" "$WORK/err" || fail "expected $code"
}
# A field of the last --json output (numbers and strings).
field() { grep -o "\"$1\" : [^,}]*" "$WORK/out" | head -1 | sed 's/^[^:]*: *//; s/"//g; s/ *$//'; }
earned() { cl data earnings --as "$1" --json > /dev/null; field earned; }

SCHEMA='age_band:text,income:real[0,250000],age:int[0,120]'
RUN=$(date +%s)
NAME="survey-$RUN"   # a fresh dataset name, so the script can run again on the same network

step "the node at $CLOISTER_NODE"
cl head

step "three owners write their survey answers (one record each: the survey's unit of privacy is a person)"
printf 'age_band,income,age\n30-39,52000,34\n' > "$WORK/bob.csv"
printf 'age_band,income,age\n30-39,61000,38\n' > "$WORK/charlie.csv"
printf 'age_band,income,age\n40-49,75000,44\n' > "$WORK/dave.csv"
cat "$WORK/bob.csv"

declare -A DS BEFORE
for owner in bob charlie dave; do
    step "$owner collects: encrypted here, stored in the storage network, the key escrowed to cluster 0"
    cl data collect "$WORK/$owner.csv" --name "$NAME" --schema "$SCHEMA" --as "$owner" --json
    DS[$owner]=$(field dataset)
    [[ ${DS[$owner]} =~ ^[0-9]+$ ]] || fail "no dataset id in the output"
    step "$owner lists dataset ${DS[$owner]} for research: 0.1 CLO per use, k = 2, ε budget 10, at most 1 per job"
    cl data list "${DS[$owner]}" --as "$owner" --price 0.1 --purposes research --k 2 --epsilon-total 10 --epsilon-cap 1 \
        --rows-per-owner 1 --description "household survey, one answer per person"
    BEFORE[$owner]=$(earned "$owner")
done

step "bob and charlie consent in advance: any research job paying at least 0.1 CLO"
cl data policy "${DS[bob]}" --as bob --purposes research --min-price 0.1
cl data policy "${DS[charlie]}" --as charlie --purposes research --min-price 0.1

step "the market: listings with this schema"
cl market ls --schema "$SCHEMA"
cl market show "${DS[dave]}"

step "eve tries SELECT *: refused on her machine, nothing is sent"
refused NOT_AGGREGATE job submit --as eve --sql "SELECT * FROM survey" --purpose research \
    --datasets "${DS[bob]},${DS[charlie]},${DS[dave]}" --epsilon 1

SQL='SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band'
step "eve submits the survey query (budget: the three prices and the worker's fee, escrowed)"
# Owners without a grant or policy get 300 blocks (5 minutes on the devnet) to decide, not the chain's default 20:
# dave decides by hand below. The job still starts as soon as the last owner has decided.
cl job submit --as eve --sql "$SQL" --purpose research --datasets "${DS[bob]},${DS[charlie]},${DS[dave]}" --epsilon 1 \
    --consent-blocks 300 --json
JOB=$(field id)
[[ $JOB =~ ^[0-9]+$ ]] || fail "no job id in the output"

step "dave has no standing policy: he sees the request and approves it by hand"
cl data requests --as dave
grep -q "job $JOB" "$WORK/out" || fail "job $JOB is not among dave's requests"
cl data approve "$JOB" "${DS[dave]}" --as dave

step "a worker's enclave runs the job; eve opens the result (noised aggregates; groups under k = 2 owners suppressed)"
cl job result "$JOB" --as eve --wait --timeout 180

step "the job in the public audit log"
cl job status "$JOB"
grep -q "done" "$WORK/out" || fail "job $JOB is not done"
cl job ls --buyer eve

step "every owner's earnings rose"
for owner in bob charlie dave; do
    now=$(earned "$owner")
    printf '%s: %s CLO before, %s CLO now\n' "$owner" "${BEFORE[$owner]}" "$now"
    awk -v a="${BEFORE[$owner]}" -v b="$now" 'BEGIN { exit !(b > a) }' || fail "$owner's earnings did not rise"
done

printf '\nw3a-survey.sh: all %d steps passed.\n' "$step"
