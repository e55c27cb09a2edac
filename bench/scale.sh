#!/usr/bin/env bash
# Scale of one gateway (issue 12): warm-execution latency and claim latency with FEW runtimes held (10), then with
# MANY (1,000), in the same gateway process, and the gateway's heap per runtime. Embedded default (local pods, the
# in-memory store). Each runtime is bench/functions/tiny-http: an http-adapter function served by busybox httpd
# (about 1 MB resident; a Node server is about 40 MB, so 1,000 of those would not fit in this machine's 24 GiB).
#   executions — wrk -t1 at 1 and 32 connections, requests spread round-robin over all held runtimes (hearth-json)
#   claim      — creating one more runtime (POST /v1/runtimes: claim a warm pod, specialize), then deleting it, CLAIMS times
#   heap       — heap used after a full GC (jcmd GC.run, then GC.heap_info), (MANY − FEW) runtimes' difference ÷ count
# Prints Markdown tables with MANY ÷ FEW ratios and the load average of each phase.
# Usage: bench/scale.sh [many] [seconds]   (env: FEW=10, CLAIMS=40, HEARTH_PORT=18382)
source "$(dirname "$0")/lib.sh"
MANY=${1:-1000}
DURATION=${2:-20}
FEW=${FEW:-10}
CLAIMS=${CLAIMS:-40}
HEARTH_PORT=${HEARTH_PORT:-18382}
IMAGE=bench/tiny
BASE="http://127.0.0.1:$HEARTH_PORT"
need wrk wrk; need busybox busybox; need jcmd openjdk-17-jdk-headless
build_jar

mkdir -p "$OUT/storage"
tar -czf "$OUT/storage/tiny.tar.gz" -C "$BENCH_DIR/functions/tiny-http" .
java -jar "$JAR" --server.port="$HEARTH_PORT" --hearth.executor.secret="$SECRET" \
  --hearth.storage-root="$OUT/storage" --hearth.work-dir="$OUT/work" \
  --hearth.pools[0].image="$IMAGE" --hearth.pools[0].adapter=http --hearth.pools[0].command=sh \
  --hearth.pools[0].size=4 --hearth.pools[0].max=$((MANY + CLAIMS + 64)) --hearth.pools[0].max-pending=256 \
  --hearth.runtimes.inactivity-threshold=6h --logging.level.dev.hearth=WARN > "$OUT/hearth.log" 2>&1 &
PIDS+=($!)
HEARTH_PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE/v1/health" >/dev/null && break; sleep 0.5; done

create() { # ID: prints the seconds the creation took, a tab, and its Server-Timing (the creation's phases)
  curl -sf -o /dev/null -w '%{time_total}\t%header{server-timing}\n' -X POST "$BASE/v1/runtimes" -H "Authorization: Bearer $SECRET" \
    -H 'content-type: application/json' \
    -d "{\"runtimeId\":\"$1\",\"image\":\"$IMAGE\",\"source\":\"tiny.tar.gz\",\"entrypoint\":\"server.sh\"}"
}
delete() { curl -sf -o /dev/null -X DELETE "$BASE/v1/runtimes/$1" -H "Authorization: Bearer $SECRET"; }
export -f create; export BASE SECRET IMAGE

create_range() { # FROM TO: runtimes rt-FROM .. rt-(TO-1), 8 at a time
  seq "$1" $(($2 - 1)) | xargs -P8 -I{} bash -c 'create rt-{} >/dev/null || echo "creating rt-{} failed" >&2'
}

spread_script() { # COUNT: a wrk script cycling over rt-0 .. rt-(COUNT-1)
  cat > "$OUT/spread-$1.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/","method":"GET"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json"
wrk.headers["authorization"] = "Bearer $SECRET"
local n, i = $1, 0
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/runtimes/rt-" .. (i % n) .. "/executions")
end
LUA
  echo "$OUT/spread-$1.lua"
}

executions() { # COUNT CONNECTIONS: "p50 p99 req/s non2xx" in ms
  wrk -t1 -c"$2" -d"${DURATION}s" --latency -s "$OUT/spread-$1.lua" "$BASE" > "$OUT/exec-$1-$2.txt"
  python3 - "$OUT/exec-$1-$2.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{pct(50):.3f} {pct(99):.3f} {rps:.0f} {errors.group(1) if errors else 0}")
PY
}

claims() { # LABEL: CLAIMS creations of one more runtime (each deleted after), prints "p50 mean p90" in ms;
  # the p50 of each phase (Server-Timing) goes to $OUT/phases-LABEL.txt
  for k in $(seq 1 "$CLAIMS"); do create "claim-$1-$k"; delete "claim-$1-$k"; done > "$OUT/claims-$1.txt"
  python3 - "$OUT/claims-$1.txt" "$OUT/phases-$1.txt" <<'PY'
import re, statistics, sys
lines = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
ms = sorted(float(line[0]) * 1000 for line in lines)
phases = {}
for line in lines:
    for name, dur in re.findall(r"(\w+);dur=([\d.]+)", line[1] if len(line) > 1 else ""):
        phases.setdefault(name, []).append(float(dur))
with open(sys.argv[2], "w") as f:
    f.write(" ".join(f"{name}={statistics.median(values):.2f}" for name, values in phases.items()) + "\n")
print(f"{statistics.median(ms):.2f} {statistics.mean(ms):.2f} {ms[int(len(ms) * 0.9) - 1]:.2f}")
PY
}

heap_kb() { # heap used after a full GC, KiB
  jcmd "$HEARTH_PID" GC.run > /dev/null
  jcmd "$HEARTH_PID" GC.heap_info | sed -nE 's/.*heap +total [0-9]+K, used ([0-9]+)K.*/\1/p' | head -1
}

phase() { # COUNT: one row of figures with COUNT runtimes held
  local count=$1 c1 c32 claim heap held
  held=$(curl -sf "$BASE/v1/runtimes" -H "Authorization: Bearer $SECRET" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  heap=$(heap_kb)
  c1=$(executions "$count" 1)
  c32=$(executions "$count" 32)
  claim=$(claims "$count")
  echo "$count $held $heap $c1 $c32 $claim $(cut -d' ' -f1 /proc/loadavg)"
}

echo "creating $FEW runtimes ..." >&2
create_range 0 "$FEW"
spread_script "$FEW" > /dev/null
spread_script "$MANY" > /dev/null
echo "warming up (JIT) on $FEW runtimes ..." >&2
warm_up "$OUT/spread-$FEW.lua" "$BASE"
for k in $(seq 1 20); do create "warm-$k" >/dev/null; delete "warm-$k"; done
FEW_ROW=$(phase "$FEW")
echo "creating $((MANY - FEW)) more runtimes ..." >&2
started=$(date +%s)
create_range "$FEW" "$MANY"
echo "  took $(( $(date +%s) - started )) s" >&2
echo "a 10 s round over $MANY runtimes (their first connections) ..." >&2
wrk -t1 -c32 -d10s -s "$OUT/spread-$MANY.lua" "$BASE" > /dev/null
MANY_ROW=$(phase "$MANY")
RSS_KB=$(ps -o rss= -p "$HEARTH_PID")
SERVERS_KB=$(ps -eo rss=,args= | awk '/busybox httpd -f -p 127.0.0.1/ && !/awk/ {s += $1; n++} END {print s + 0, n + 0}')

echo "claim phases, p50 ms (Server-Timing): $FEW runtimes: $(cat "$OUT/phases-$FEW.txt")"
echo "claim phases, p50 ms (Server-Timing): $MANY runtimes: $(cat "$OUT/phases-$MANY.txt")"
python3 - "$FEW_ROW" "$MANY_ROW" "$DURATION" "$CLAIMS" "$RSS_KB" "$SERVERS_KB" <<'PY'
import sys
names = ["count", "held", "heap", "c1p50", "c1p99", "c1rps", "c1err", "c32p50", "c32p99", "c32rps", "c32err",
         "claimp50", "claimmean", "claimp90", "load"]
few, many = (dict(zip(names, row.split())) for row in sys.argv[1:3])
duration, claims, rss = sys.argv[3], sys.argv[4], int(sys.argv[5])
servers_kb, servers = (int(v) for v in sys.argv[6].split())
print(f"one gateway, local pods (busybox httpd, http adapter), hearth-json; wrk -t1 -d{duration}s spread over the held "
      f"runtimes; claim = creating one more runtime, {claims} times\n")
print("| runtimes held | exec p50 ms (c1) | exec p99 ms (c1) | exec p50 ms (c32) | exec p99 ms (c32) | req/s (c32) "
      "| non-2xx | claim p50 ms | claim mean ms | claim p90 ms | heap after GC MiB | load 1 min |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in (few, many):
    print(f"| {r['held']} | {r['c1p50']} | {r['c1p99']} | {r['c32p50']} | {r['c32p99']} | {r['c32rps']} "
          f"| {int(r['c1err']) + int(r['c32err'])} | {r['claimp50']} | {r['claimmean']} | {r['claimp90']} "
          f"| {int(r['heap']) / 1024:.1f} | {r['load']} |")
ratio = lambda k: f"{float(many[k]) / float(few[k]):.2f}"
print(f"| **{many['held']} ÷ {few['held']}** | {ratio('c1p50')} | {ratio('c1p99')} | {ratio('c32p50')} "
      f"| {ratio('c32p99')} | {ratio('c32rps')} | | {ratio('claimp50')} | {ratio('claimmean')} | {ratio('claimp90')} | | |")
per = (int(many['heap']) - int(few['heap'])) / (int(many['held']) - int(few['held']))
print(f"\nGateway heap per runtime: {per:.1f} KiB (heap used after a full GC, {many['held']} vs {few['held']} runtimes). "
      f"Gateway RSS with {many['held']}: {rss / 1024:.0f} MiB; {servers} function servers: {servers_kb / 1024:.0f} MiB RSS in all.")
PY
