#!/usr/bin/env bash
# Warm execution throughput with the Redis store vs the in-memory one, in one run (issue 12, target: Redis ≥ 0.9 ×
# in-memory). The hearth-json path of bench/run.sh (1 KB Node function, wrk -t1 -c32): a gateway with the in-memory
# store, then one with Redis (a redis-server this script starts on loopback), each started fresh and warmed with
# warm_up before it is measured. Prints a Markdown table with Redis ÷ in-memory and the load average.
# Usage: bench/redis-ratio.sh [seconds] [connections]   (ports: HEARTH_PORT, REDIS_PORT; 18381, 18380)
source "$(dirname "$0")/lib.sh"
DURATION=${1:-30}
CONNECTIONS=${2:-32}
HEARTH_PORT=${HEARTH_PORT:-18381}
REDIS_PORT=${REDIS_PORT:-18380}
need wrk wrk; need node nodejs; need redis-server redis-server
build_jar

mkdir -p "$OUT/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --dir "$OUT/redis" --logfile "$OUT/redis/redis.log" &
PIDS+=($!)
for _ in $(seq 1 50); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done

cat > "$OUT/hearth-json.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/","method":"GET"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json"
wrk.headers["authorization"] = "Bearer $SECRET"
LUA
URL="http://127.0.0.1:$HEARTH_PORT/v1/runtimes/one-kb/executions"

measure() { # name [java options...]: fresh gateway, one runtime, warm-up, one measured run; prints a TSV row
  local name=$1; shift
  start_hearth "$HEARTH_PORT" bench/node "$@"
  local pid=${PIDS[-1]}
  create_runtime "$HEARTH_PORT" one-kb bench/node "$BENCH_DIR/functions/one-kb"
  curl -sf -X POST "$URL" -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -d '{}' -o /dev/null
  echo "$name: warming up (JIT) ..." >&2
  warm_up "$OUT/hearth-json.lua" "$URL" "$CONNECTIONS"
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/hearth-json.lua" "$URL" > "$OUT/$name.txt"
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 - "$name" "$OUT/$name.txt" "$load" <<'PY'
import re, sys
name, path, load = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{name}\t{rps:.0f}\t{pct(50):.2f}\t{pct(99):.2f}\t{errors.group(1) if errors else 0}\t{load}")
PY
}

{
  measure in-memory
  measure redis "-Dhearth.redis.url=redis://127.0.0.1:$REDIS_PORT"
} > "$OUT/results.tsv"
REDIS_COMMANDS=$(redis-cli -p "$REDIS_PORT" info commandstats | grep -E '^cmdstat_(hgetall|evalsha|get|hset|hmget|pexpire)' | tr -d '\r' | cut -d, -f1 | tr '\n' ' ')

python3 - "$OUT/results.tsv" "$DURATION" "$CONNECTIONS" "$REDIS_COMMANDS" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
memory = float(rows[0][1])
print(f"hearth-json, wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s after warm_up, 1 KB response, loopback\n")
print("| store | req/s | p50 ms | p99 ms | non-2xx | load (1/5/15 min) | req/s ÷ in-memory |")
print("|---|---|---|---|---|---|---|")
for name, rps, p50, p99, errors, load in rows:
    print(f"| {name} | {rps} | {p50} | {p99} | {errors} | {load} | {float(rps) / memory:.2f} |")
print(f"\nRedis commands over the whole Redis run (warm-up included): {sys.argv[4]}")
PY
