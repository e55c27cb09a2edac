#!/usr/bin/env bash
# What the stack costs before Hearth's own work: the runner's execute path reached directly, through nginx
# proxy_pass, through a minimal Reactor Netty proxy (bench/ceiling/MinimalProxy.java: forward and stream back, nothing
# else), through the same on plain Netty (bench/ceiling/NettyProxy.java: no Reactor), through Reactor Netty's server
# with a plain Netty client (bench/ceiling/HybridProxy.java) and through Hearth's Open Runtimes execution API (JSON
# answer), all in one run, wrk -t1 -cN after warm-up. CEILING_PROXY_JAVA_OPTS go to the Reactor Netty proxies' JVMs.
# Prints req/s, p50 and p99 of each, and each ÷ nginx; then the CPU each proxy spends per request.
# Usage: [CEILING_HEARTH_PORT=18580] [CEILING_NGINX_PORT=18590] [CEILING_PROXY_PORT=18591]
#        [CEILING_NETTY_PROXY_PORT=18592] [CEILING_HYBRID_PROXY_PORT=18593] bench/ceiling.sh [seconds] [connections]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-15}
CONNECTIONS=${2:-32}
HEARTH_PORT=${CEILING_HEARTH_PORT:-18580}
NGINX_PORT=${CEILING_NGINX_PORT:-18590}
PROXY_PORT=${CEILING_PROXY_PORT:-18591}
# The proxies' warm-ups keep Hearth's runtime idle for minutes: not long enough for the gateway to end it.
export OPR_EXECUTOR_INACTIVE_THRESHOLD=3600
start_one_kb_paths "$HEARTH_PORT" "$NGINX_PORT"
PROXY_URL="http://127.0.0.1:$PROXY_PORT/v1/execute"
NETTY_PROXY_PORT=${CEILING_NETTY_PROXY_PORT:-18592}
NETTY_PROXY_URL="http://127.0.0.1:$NETTY_PROXY_PORT/v1/execute"
HYBRID_PROXY_PORT=${CEILING_HYBRID_PROXY_PORT:-18593}
HYBRID_PROXY_URL="http://127.0.0.1:$HYBRID_PROXY_PORT/v1/execute"

# The proxy runs from source against the gateway jar's own Reactor Netty and Netty.
mkdir -p "$OUT/lib"
(cd "$OUT/lib" && unzip -qoj "$JAR" 'BOOT-INF/lib/reactor-*' 'BOOT-INF/lib/netty-*' 'BOOT-INF/lib/reactive-streams-*' 'BOOT-INF/lib/slf4j-api-*')
"${HEARTH_JAVA:-java}" ${CEILING_PROXY_JAVA_OPTS:-} -cp "$OUT/lib/*" "$BENCH_DIR/ceiling/MinimalProxy.java" "$PROXY_PORT" "${RUNNER%:*}" "${RUNNER#*:}" > "$OUT/proxy.log" 2>&1 &
PIDS+=($!)
PROXY_PIDS=$!
"${HEARTH_JAVA:-java}" -cp "$OUT/lib/*" "$BENCH_DIR/ceiling/NettyProxy.java" "$NETTY_PROXY_PORT" "${RUNNER%:*}" "${RUNNER#*:}" > "$OUT/netty-proxy.log" 2>&1 &
PIDS+=($!)
PROXY_PIDS="$PROXY_PIDS $!"
"${HEARTH_JAVA:-java}" ${CEILING_PROXY_JAVA_OPTS:-} -cp "$OUT/lib/*" "$BENCH_DIR/ceiling/HybridProxy.java" "$HYBRID_PROXY_PORT" "${RUNNER%:*}" "${RUNNER#*:}" > "$OUT/hybrid-proxy.log" 2>&1 &
PIDS+=($!)
PROXY_PIDS="$PROXY_PIDS $!"
for log in proxy netty-proxy hybrid-proxy; do
  for _ in $(seq 1 100); do grep -q listening "$OUT/$log.log" 2>/dev/null && break; sleep 0.2; done
done
curl -sf -X POST "$PROXY_URL" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
curl -sf -X POST "$NETTY_PROXY_URL" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
curl -sf -X POST "$HYBRID_PROXY_URL" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null

echo "warming up (JIT) ..." >&2
warm_up "$OUT/direct.lua" "$PROXY_URL" "$CONNECTIONS"
warm_up "$OUT/direct.lua" "$NETTY_PROXY_URL" "$CONNECTIONS"
warm_up "$OUT/direct.lua" "$HYBRID_PROXY_URL" "$CONNECTIONS"
warm_up "$OUT/hearth-json.lua" "$HEARTH_URL" "$CONNECTIONS"

{
  printf 'path\tconnections\trps\tp50_ms\tp75_ms\tp90_ms\tp99_ms\tp99.9_ms\tnon2xx\tsocket_errors\n'
  measure_cpu direct "$OUT/direct.lua" "http://$RUNNER/v1/execute" "$CONNECTIONS" "$DURATION"
  measure_cpu nginx "$OUT/direct.lua" "$NGINX_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu reactor-netty-proxy "$OUT/direct.lua" "$PROXY_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu netty-proxy "$OUT/direct.lua" "$NETTY_PROXY_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu hybrid-proxy "$OUT/direct.lua" "$HYBRID_PROXY_URL" "$CONNECTIONS" "$DURATION"
  measure_cpu hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL" "$CONNECTIONS" "$DURATION"
} > "$OUT/results.tsv"

python3 - "$OUT/results.tsv" "$DURATION" "$CONNECTIONS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
nginx = next(float(r["rps"]) for r in rows if r["path"] == "nginx")
print(f"wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s, 1 KB response, loopback\n")
print("| path | req/s | p50 ms | p99 ms | non-2xx | req/s ÷ nginx |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['path']} | {r['rps']} | {float(r['p50_ms']):.2f} | {float(r['p99_ms']):.2f} | {r['non2xx']} "
          f"| {float(r['rps']) / nginx:.2f} |")
PY
python3 - "$OUT/cpu.tsv" <<'PY'
import sys
rows = {name: [int(v) for v in values] for name, *values in (l.split("\t") for l in open(sys.argv[1]).read().splitlines())}
runner_only, nginx_own = rows["nginx"][0], rows["nginx"][1]
own = {"nginx": nginx_own, "netty-proxy": rows["netty-proxy"][4], "hybrid-proxy": rows["hybrid-proxy"][5],
       "reactor-netty-proxy": rows["reactor-netty-proxy"][3], "hearth-json": rows["hearth-json"][0] - runner_only}
print("\nCPU each proxy spends per request, µs (its own process clock; Hearth's is its JVM's minus the in-process")
print("runner's, measured on the nginx path):\n")
print("| proxy | µs per request | ÷ nginx's |")
print("|---|---:|---:|")
for name, us in own.items():
    print(f"| {name} | {us} | {us / nginx_own:.2f} |")
PY
echo "($(load))"
