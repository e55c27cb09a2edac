#!/usr/bin/env bash
# Throughput of the execution path: one runner with an http function answering 1 KB, reached
#   direct  — wrk → runner (POST /v1/execute, runner protocol)
#   nginx   — wrk → nginx proxy_pass (keepalive) → runner
#   hearth  — wrk → Hearth's Open Runtimes execution API (multipart and JSON responses) → runner
# All on loopback, each driven by wrk after a warm-up (warm_up: until the JIT has settled); prints a Markdown
# table with Hearth/nginx ratios, and one of the CPU each process spent per request. With BENCH_TSV set, also writes
# the rows (with p75/p90/p99.9) there as TSV.
# Usage: [HEARTH_PORT=18080] [NGINX_PORT=18090] [BENCH_TSV=file] bench/run.sh [seconds-per-run] [connections]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-15}
CONNECTIONS=${2:-32}
HEARTH_PORT=${HEARTH_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18090}
start_one_kb_paths "$HEARTH_PORT" "$NGINX_PORT"

echo "warming up (JIT) ..." >&2
warm_up "$OUT/hearth-multipart.lua" "$HEARTH_URL" "$CONNECTIONS"
wrk -t1 -c"$CONNECTIONS" -d10s -s "$OUT/hearth-json.lua" "$HEARTH_URL" > /dev/null
wrk -t1 -c"$CONNECTIONS" -d5s -s "$OUT/direct.lua" "$NGINX_URL" > /dev/null

{
  printf 'path\tconnections\trps\tp50_ms\tp75_ms\tp90_ms\tp99_ms\tp99.9_ms\tnon2xx\tsocket_errors\n'
  measure_cpu direct "$OUT/direct.lua" "http://$RUNNER/v1/execute" "$CONNECTIONS" "$DURATION"
  measure_cpu nginx "$OUT/direct.lua" "$NGINX_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu hearth-multipart "$OUT/hearth-multipart.lua" "$HEARTH_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL" "$CONNECTIONS" "$DURATION"
} > "$OUT/results.tsv"
[ -n "${BENCH_TSV:-}" ] && cp "$OUT/results.tsv" "$BENCH_TSV"

python3 - "$OUT/results.tsv" "$DURATION" "$CONNECTIONS" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()[1:]]
nginx = next(float(r[2]) for r in rows if r[0] == "nginx")
print(f"wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s, 1 KB response, loopback\n")
print("| path | req/s | p50 ms | p99 ms | non-2xx | req/s ÷ nginx |")
print("|---|---|---|---|---|---|")
for name, _, rps, p50, _, _, p99, _, errors, _ in rows:
    print(f"| {name} | {rps} | {float(p50):.2f} | {float(p99):.2f} | {errors} | {float(rps) / nginx:.2f} |")
PY
python3 - "$OUT/cpu.tsv" <<'PY'
import sys
rows = {name: [int(v) for v in values] for name, *values in (l.split("\t") for l in open(sys.argv[1]).read().splitlines())}
runner_only, nginx_own = rows["nginx"][0], rows["nginx"][1]
print("\nCPU per request, µs (each process's own clock): the JVM runs the gateway and, in-process, the runner; on the")
print("nginx path it runs only the runner, so the gateway's own share is the JVM's minus that.\n")
print("| path | JVM | nginx | function | proxy's own (gateway or nginx) | ÷ nginx's own |")
print("|---|---:|---:|---:|---:|---:|")
for name, (jvm, ngx, fn, *_) in rows.items():
    own = ngx if name == "nginx" else jvm - runner_only if name.startswith("hearth") else None
    cells = "| — | — |" if own is None else f"| {own} | {own / nginx_own:.2f} |"
    print(f"| {name} | {jvm} | {ngx} | {fn} {cells}")
PY
echo "($(load))"
