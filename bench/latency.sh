#!/usr/bin/env bash
# Latency at one connection (wrk -t1 -c1, closed loop) of the execution path (one runner, an http function
# answering 1 KB): direct (wrk → runner), nginx (proxy_pass, keepalive) and hearth-json (Open Runtimes
# executions, JSON response), one gateway process after one warm-up. Percentiles 50/75/90/99/99.9 come from
# wrk's histogram through a Lua done() callback. Prints them, the latency Hearth and nginx add over the direct
# call at p50 and p99, and issue 12's target (Hearth adds p50 ≤ 0.3 ms, p99 ≤ 2 ms); writes the rows as TSV
# and draws the percentile curves with bench/plot.py.
# Usage: [HEARTH_PORT=18184] [NGINX_PORT=18185] [OUT_TSV=bench/plots/latency.tsv] [PNG=bench/plots/latency.png]
#        bench/latency.sh [seconds-per-path]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-30}
HEARTH_PORT=${HEARTH_PORT:-18184}
NGINX_PORT=${NGINX_PORT:-18185}
TSV=${OUT_TSV:-$BENCH_DIR/plots/latency.tsv}
PNG=${PNG:-$BENCH_DIR/plots/latency.png}
need_plotting
start_one_kb_paths "$HEARTH_PORT" "$NGINX_PORT"

echo "warming up (JIT) ..." >&2
warm_up "$OUT/hearth-json.lua" "$HEARTH_URL" 32
wrk -t1 -c1 -d5s -s "$OUT/hearth-json.lua" "$HEARTH_URL" > /dev/null
wrk -t1 -c1 -d5s -s "$OUT/direct.lua" "$NGINX_URL" > /dev/null

mkdir -p "$(dirname "$TSV")" "$(dirname "$PNG")"
{
  printf 'path\tconnections\trps\tp50_ms\tp75_ms\tp90_ms\tp99_ms\tp99.9_ms\tnon2xx\tsocket_errors\n'
  measure direct "$OUT/direct.lua" "http://$RUNNER/v1/execute" 1 "$DURATION"
  measure nginx "$OUT/direct.lua" "$NGINX_URL" 1 "$DURATION"
  measure hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL" 1 "$DURATION"
} > "$TSV"

python3 - "$TSV" "$DURATION" <<'PY'
import csv, sys
rows = {r["path"]: r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
ps = ["50", "75", "90", "99", "99.9"]
print(f"wrk -t1 -c1 -d{sys.argv[2]}s per path, 1 KB response, loopback; percentiles from wrk's histogram (ms)\n")
print("| path | req/s | " + " | ".join(f"p{p} ms" for p in ps) + " | non-2xx |")
print("|---|---:|" + "---:|" * len(ps) + "---:|")
for name, r in rows.items():
    print(f"| {name} | {r['rps']} | " + " | ".join(f"{float(r[f'p{p}_ms']):.3f}" for p in ps) + f" | {r['non2xx']} |")
direct = rows["direct"]
added = {name: {p: float(rows[name][f"p{p}_ms"]) - float(direct[f"p{p}_ms"]) for p in ("50", "99")}
         for name in ("nginx", "hearth-json")}
print("\nAdded over the direct call (ms):\n")
print("| path | p50 added | p99 added |")
print("|---|---:|---:|")
for name, a in added.items():
    print(f"| {name} | {a['50']:.3f} | {a['99']:.3f} |")
hearth = added["hearth-json"]
ok50, ok99 = hearth["50"] <= 0.3, hearth["99"] <= 2.0
print(f"\nTarget (Hearth adds p50 ≤ 0.3 ms, p99 ≤ 2 ms): p50 {hearth['50']:.3f} ms {'met' if ok50 else 'NOT met'}, "
      f"p99 {hearth['99']:.3f} ms {'met' if ok99 else 'NOT met'}")
if any(v < 0 for a in added.values() for v in a.values()):
    print("A negative difference means the paths' spread (other load on the machine) exceeds what the hop adds.")
PY
echo "($(load))"
"$PLOT_PYTHON" "$BENCH_DIR/plot.py" latency "$TSV" "$PNG"
echo "wrote $TSV and $PNG"
