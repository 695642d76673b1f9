#!/usr/bin/env bash
# PrefixFlow and llama.cpp on the same synthetic GGUF files, run alternately, with the ratios.
#
# Usage: tools/llamacpp/side-by-side.sh [--types Q8_0,Q4_K] [--rounds 2] [--threads 2]
#          [--prompt-tokens 512] [--decode-tokens 64] [--shape llama-1b] [--cache-dir bench-models]
#          [--engine] [--llama-bin DIR]
#
# Each round runs, per type, `prefixflow bench` and then `llama-bench` on the file that bench wrote
# (prefill of a --prompt-tokens prompt, then --decode-tokens decode steps after it: llama-bench's
# decode runs at that depth, -d); with --engine also
# 32 requests x (80 prompt + 32 generated tokens) at 32 sequences end to end, `prefixflow bench
# --engine` against `llama-batched-bench`, on the first type. Alternating the two in one run keeps
# other load on a shared machine from favouring either. Prints one row per measure: both engines'
# range over the rounds, and the range of the per-round ratio PrefixFlow / llama.cpp.
# llama.cpp is built first with build.sh (beside this script) unless --llama-bin names its binaries.
# A development tool: not part of the test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
types=Q8_0,Q4_K rounds=2 threads=$(nproc) prompt=512 decode=64 shape=llama-1b cache="$root/bench-models"
engine=false bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --types) types=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --prompt-tokens) prompt=$2; shift 2 ;;
    --decode-tokens) decode=$2; shift 2 ;;
    --shape) shape=$2; shift 2 ;;
    --cache-dir) cache=$(realpath -m "$2"); shift 2 ;;
    --engine) engine=true; shift ;;
    --llama-bin) bin=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "side-by-side.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null || { echo "side-by-side.sh: needs jq" >&2; exit 2; }
[ -n "$bin" ] || bin=$("$root/tools/llamacpp/build.sh")
for b in llama-bench llama-batched-bench; do
  [ -x "$bin/$b" ] || { echo "side-by-side.sh: $bin/$b missing" >&2; exit 2; }
done
pf="$root/prefixflow"
log=$(mktemp -d)
echo "logs in $log; llama.cpp $(git -C "$bin/../.." log -1 --format=%h 2>/dev/null || echo '?') from $bin" >&2

# One line per figure: "measure<TAB>engine<TAB>round<TAB>tokens/s".
results="$log/results.tsv"
: > "$results"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$results"; }

for round in $(seq 1 "$rounds"); do
  for type in ${types//,/ }; do
    lower=$(echo "$type" | tr 'A-Z' 'a-z')
    echo "round $round/$rounds, $type: prefixflow bench ..." >&2
    "$pf" bench --synthetic "$shape" --type "$type" --cache-dir "$cache" --threads "$threads" \
      --prompt-tokens "$prompt" --decode-tokens "$decode" --json > "$log/pf-$type-$round.json" 2> "$log/pf-$type-$round.err"
    record "$type prefill" prefixflow "$round" "$(jq .prefill_tokens_per_s "$log/pf-$type-$round.json")"
    record "$type decode" prefixflow "$round" "$(jq .decode_tokens_per_s "$log/pf-$type-$round.json")"
    model="$cache/synthetic-$shape-$lower-seed0.gguf"
    [ -f "$model" ] || { echo "side-by-side.sh: expected $model" >&2; exit 1; }
    echo "round $round/$rounds, $type: llama-bench ..." >&2
    # Decode at the prompt's depth (-d), as bench decodes after its prompt: llama-bench's own tg
    # test starts from an empty context, where attention costs nothing.
    "$bin/llama-bench" -m "$model" -t "$threads" -p "$prompt" -n 0 -r 1 -o json \
      > "$log/lc-$type-$round-pp.json" 2> "$log/lc-$type-$round-pp.err"
    "$bin/llama-bench" -m "$model" -t "$threads" -p 0 -n "$decode" -d "$prompt" -r 1 -o json \
      > "$log/lc-$type-$round-tg.json" 2> "$log/lc-$type-$round-tg.err"
    record "$type prefill" llama.cpp "$round" "$(jq '.[0].avg_ts' "$log/lc-$type-$round-pp.json")"
    record "$type decode" llama.cpp "$round" "$(jq '.[0].avg_ts' "$log/lc-$type-$round-tg.json")"
  done
  if $engine; then
    type=${types%%,*}
    lower=$(echo "$type" | tr 'A-Z' 'a-z')
    measure="$type 32 x (80+32) at 32 seqs, generated"
    echo "round $round/$rounds, $type: prefixflow bench --engine ..." >&2
    PREFIXFLOW_JAVA_OPTS="${PREFIXFLOW_JAVA_OPTS:--Xmx16g}" "$pf" bench --engine --synthetic "$shape" --type "$type" \
      --cache-dir "$cache" --threads "$threads" --requests 32 --prompt-tokens 80 --decode-tokens 32 \
      --max-num-seqs 32 --shared-prefix-tokens 16 > "$log/pf-engine-$round.txt" 2> "$log/pf-engine-$round.err"
    record "$measure" prefixflow "$round" \
      "$(awk '$1 == "max_num_seqs" && $2 == 32 { print $3; exit }' "$log/pf-engine-$round.txt")"
    echo "round $round/$rounds, $type: llama-batched-bench ..." >&2
    "$bin/llama-batched-bench" -m "$cache/synthetic-$shape-$lower-seed0.gguf" -t "$threads" -c 4096 -b 512 -ub 512 \
      -npp 80 -ntg 32 -npl 32 --output-format jsonl > "$log/lc-engine-$round.txt" 2> "$log/lc-engine-$round.err"
    record "$measure" llama.cpp "$round" \
      "$(grep -h '^{' "$log/lc-engine-$round.txt" "$log/lc-engine-$round.err" | jq -s '.[0] | .pl * .tg / .t')"
  fi
done

# The table: per measure, each engine's min-max over the rounds, the per-round ratios' min-max and
# their median (on this 2-core VM one engine's round is sometimes far off, so the median says more).
echo
echo "$shape, $threads threads, $rounds rounds, prompt $prompt tokens, $decode decode steps (tokens/s)"
echo
echo "| measure | llama.cpp | PrefixFlow | PrefixFlow / llama.cpp | median ratio |"
echo "|---|---|---|---|---|"
awk -F'\t' '
  { key = $1 SUBSEP $3; v[$2, key] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } rounds[$3] = 1 }
  function span(lo, hi, fmt) { return (sprintf(fmt, lo) == sprintf(fmt, hi)) ? sprintf(fmt, lo) : sprintf(fmt "-" fmt, lo, hi) }
  function median(a, k,    i, j, t) {
    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    for (i = 1; i <= n; i++) {
      m = order[i]; k = 0
      for (r in rounds) {
        lc = v["llama.cpp", m SUBSEP r]; pf = v["prefixflow", m SUBSEP r]
        if (lc == "" || pf == "" || lc + 0 == 0) continue
        ratio = pf / lc
        if (k == 0) { lcLo = lcHi = lc; pfLo = pfHi = pf; rLo = rHi = ratio }
        ratios[++k] = ratio
        if (lc < lcLo) lcLo = lc; if (lc > lcHi) lcHi = lc
        if (pf < pfLo) pfLo = pf; if (pf > pfHi) pfHi = pf
        if (ratio < rLo) rLo = ratio; if (ratio > rHi) rHi = ratio
      }
      if (k > 0) printf "| %s | %s | %s | %sx | %.2fx |\n", m, span(lcLo, lcHi, "%.1f"), span(pfLo, pfHi, "%.1f"),
        span(rLo, rHi, "%.2f"), median(ratios, k)
    }
  }' "$results"
