#!/usr/bin/env bash
# A private sealed-bid auction on a running Cloister network, driven with the CLI.
#
#   ./cloister devnet                          # in another terminal; prints the API URL
#   examples/auction.sh http://127.0.0.1:9933
#
# Steps: write the example contracts, upload auction.wasm (source: worker/src/main/wat/auction.wat), instantiate
# it as alice, have bob (300), charlie (500) and dave (400) bid through commands encrypted to the contract's key,
# show that the chain holds only ciphertext, close the auction as alice, and query the result: charlie wins at 500,
# and nobody learns the losing bids. Prints each step and the command it runs; exits non-zero as soon as a step
# fails. CLOISTER=path/to/cloister overrides the launcher (default: the one next to this directory).
set -euo pipefail

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
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
fail() { printf '\nauction.sh: step %d FAILED: %s\n' "$step" "$*" >&2; exit 1; }
# Runs the CLI, echoing the command; its output goes to the terminal and to $WORK/out.
cl() {
    printf '$ cloister %s\n' "$*"
    if ! "$CLOISTER" "$@" > "$WORK/out" 2> "$WORK/err"; then
        cat "$WORK/out"; cat "$WORK/err" >&2
        fail "cloister $* exited non-zero"
    fi
    cat "$WORK/out"
}
# A string field of the last --json output: field NAME.
field() { grep -o "\"$1\" : \"[^\"]*\"" "$WORK/out" | head -1 | cut -d'"' -f4; }
# 0x01 ‖ amount as a little-endian i64, in hex: the auction's bid input.
bid() { local h; h=$(printf '%016x' "$1"); printf '01%s%s%s%s%s%s%s%s' "${h:14:2}" "${h:12:2}" "${h:10:2}" "${h:8:2}" "${h:6:2}" "${h:4:2}" "${h:2:2}" "${h:0:2}"; }
le64() { local h=$1 r=''; for i in 14 12 10 8 6 4 2 0; do r+=${h:$i:2}; done; printf '%d' "0x$r"; }

step "the node at $CLOISTER_NODE"
cl head

step "write the example contracts"
cl contract examples --out "$WORK/contracts"

step "alice uploads the auction's code (checked on chain: valid Wasm, known host imports)"
cl contract upload "$WORK/contracts/auction.wasm" --as alice --json
CODE=$(field codeHash)
[[ ${#CODE} -eq 64 ]] || fail "no code hash in the output"

step "alice instantiates it in cluster 0 (a fresh salt, so the script can run again)"
SALT=$(printf '%016x' "$(date +%s%N)")
cl contract instantiate "$CODE" --as alice --salt "$SALT" --json
CONTRACT=$(field contract)
[[ ${#CONTRACT} -eq 64 ]] || fail "no contract id in the output"
grep -q '"constructorOk" : true' "$WORK/out" || fail "the constructor did not run OK"

for who in bob:300 charlie:500 dave:400; do
    name=${who%%:*}; amount=${who##*:}
    step "$name bids $amount, encrypted to the contract's key"
    cl contract command "$CONTRACT" "$(bid "$amount")" --as "$name" --json
    grep -q '"ok" : true' "$WORK/out" || fail "$name's bid was not accepted"
    TX=$(field transaction)
    # What the chain holds for this call: the sealed input and a sealed event. Neither may contain the amount.
    "$CLOISTER" block "$(grep -o '"height" : [0-9]*' "$WORK/out" | head -1 | grep -o '[0-9]*$')" --json > "$WORK/block"
    grep -qi "$(bid "$amount")" "$WORK/block" && fail "the bid appears in the clear in its block"
    grep -q '"sealedHex"' "$WORK/out" || fail "the bid's event was not sealed"
    echo "   on chain: transaction $TX carries only ciphertext; its event is sealed to the contract key"
done

step "bob tries to bid again (one bid per account: the contract reverts, the CLI exits 1)"
printf '$ cloister contract command %s %s --as bob\n' "$CONTRACT" "$(bid 900)"
if "$CLOISTER" contract command "$CONTRACT" "$(bid 900)" --as bob > "$WORK/out" 2> "$WORK/err"; then
    fail "a second bid from bob was accepted"
fi
cat "$WORK/out"; cat "$WORK/err"
grep -q "you have already bid" "$WORK/err" || fail "expected the contract's reason, 'you have already bid'"

step "while open: the result is refused; bob can read only his own bid"
printf '$ cloister contract query %s 01 --as bob\n' "$CONTRACT"
if "$CLOISTER" contract query "$CONTRACT" 01 --as bob > "$WORK/out" 2> "$WORK/err"; then
    fail "the result was readable before the close"
fi
cat "$WORK/err"
cl contract query "$CONTRACT" 02 --as bob --json
[[ $(le64 "$(field answer)") -eq 300 ]] || fail "bob's own bid should read 300"

step "alice closes the auction: the only public event names the winner and the price"
cl contract command "$CONTRACT" 02 --as alice --json
grep -q '"ok" : true' "$WORK/out" || fail "the close failed"
PUBLIC=$(field dataHex)
[[ $PUBLIC == 636c6f736564* ]] || fail "expected a public \"closed\" event"

step "anyone queries the result: winner ‖ price"
cl contract query "$CONTRACT" 01 --as ferdie --json
ANSWER=$(field answer)
CHARLIE=$("$CLOISTER" account charlie --json | grep -o '"publicKeyHex" : "[^"]*"' | cut -d'"' -f4)
[[ ${ANSWER:0:64} == "$CHARLIE" ]] || fail "the winner should be charlie"
PRICE=$(le64 "${ANSWER:64:16}")
[[ $PRICE -eq 500 ]] || fail "the price should be 500, got $PRICE"
[[ ${PUBLIC:12} == "$ANSWER" ]] || fail "the public event and the query disagree"

printf '\nauction.sh: done. charlie won at %d; the losing bids (300, 400) never left the enclave.\n' "$PRICE"
