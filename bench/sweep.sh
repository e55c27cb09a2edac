#!/usr/bin/env bash
# Throughput and latency against connections for the execution path (one runner, an http function answering
# 1 KB): direct (wrk → runner), nginx (proxy_pass, keepalive) and hearth-json (Open Runtimes executions, JSON
# response), one gateway process and one warm-up for the whole sweep. Prints a Markdown table (req/s ÷ nginx
# per connection count), writes the rows as TSV and draws req/s against connections with bench/plot.py.
# Usage: [HEARTH_PORT=18182] [NGINX_PORT=18183] [OUT_TSV=bench/plots/sweep.tsv] [PNG=bench/plots/throughput.png]
#        bench/sweep.sh [seconds-per-point] [connection counts...]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}
shift || true
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(1 4 16 32 64)
HEARTH_PORT=${HEARTH_PORT:-18182}
NGINX_PORT=${NGINX_PORT:-18183}
TSV=${OUT_TSV:-$BENCH_DIR/plots/sweep.tsv}
PNG=${PNG:-$BENCH_DIR/plots/throughput.png}
need_plotting
start_one_kb_paths "$HEARTH_PORT" "$NGINX_PORT"

echo "warming up (JIT) ..." >&2
warm_up "$OUT/hearth-json.lua" "$HEARTH_URL" 32
wrk -t1 -c32 -d5s -s "$OUT/direct.lua" "$NGINX_URL" > /dev/null

mkdir -p "$(dirname "$TSV")" "$(dirname "$PNG")"
{
  printf 'path\tconnections\trps\tp50_ms\tp75_ms\tp90_ms\tp99_ms\tp99.9_ms\tnon2xx\tsocket_errors\n'
  for c in "${COUNTS[@]}"; do
    echo "  $c connections ($(load))" >&2
    measure direct "$OUT/direct.lua" "http://$RUNNER/v1/execute" "$c" "$DURATION"
    measure nginx "$OUT/direct.lua" "$NGINX_URL" "$c" "$DURATION"
    measure hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL" "$c" "$DURATION"
  done
} > "$TSV"

python3 - "$TSV" "$DURATION" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
nginx = {r["connections"]: float(r["rps"]) for r in rows if r["path"] == "nginx"}
print(f"wrk -t1 -cN -d{sys.argv[2]}s per point, 1 KB response, loopback, one gateway process\n")
print("| connections | path | req/s | p50 ms | p99 ms | non-2xx | req/s ÷ nginx |")
print("|---:|---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['connections']} | {r['path']} | {r['rps']} | {float(r['p50_ms']):.2f} | {float(r['p99_ms']):.2f} "
          f"| {r['non2xx']} | {float(r['rps']) / nginx[r['connections']]:.2f} |")
PY
echo "($(load))"
"$PLOT_PYTHON" "$BENCH_DIR/plot.py" throughput "$TSV" "$PNG"
echo "wrote $TSV and $PNG"
