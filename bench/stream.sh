#!/usr/bin/env bash
# Streams a large response (default 1 GiB) from an http function through Hearth's multipart execution
# response, with the gateway's heap capped (default 64 MiB; local pods are runners inside the gateway's JVM, so
# the cap holds the runner too), and reports throughput, the peak heap seen while streaming, the gateway's RSS
# idle (after start and the runtime's creation) and after the stream, and as the reference the same body read
# straight from the runner (POST /v1/execute, runner protocol) in the same run: MiB/s ÷ direct.
# Both reads are repeated ROUNDS times (default 2; the first round also warms the JIT), alternating.
# Usage: [PORT=18188] [ROUNDS=2] bench/stream.sh [bytes] [max-heap]
source "$(dirname "$0")/lib.sh"
BYTES=${1:-1073741824}
HEAP=${2:-64m}
PORT=${PORT:-18188}
ROUNDS=${ROUNDS:-2}
need node nodejs
need bc bc
build_jar

start_hearth "$PORT" bench/stream "-Xmx$HEAP"
create_runtime "$PORT" stream bench/stream "$BENCH_DIR/functions/stream" "{\"STREAM_BYTES\":\"$BYTES\"}"
RUNNER=$(runner_address "$PORT" stream)
KEY=$(runtime_key "$PORT" stream)
REQUEST=$(printf '%s' '{"method":"GET","path":"/","headers":{},"timeoutMs":600000}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
sleep 2
IDLE_RSS=$(rss_mib "$HEARTH_PID")

sample_heap() {
  curl -sf "http://127.0.0.1:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" \
    | grep -oE '"value":[0-9.E+]+' | cut -d: -f2
}
( while true; do
    sample_heap >> "$OUT/heap.txt" 2>/dev/null || true
    rss_mib "$HEARTH_PID" >> "$OUT/rss.txt" 2>/dev/null || true
    sleep 0.2
  done ) &
PIDS+=($!)

# direct: the runner's own response, no gateway in the path (the runner still runs in the gateway's JVM).
# Each line of $OUT/reads.tsv: round, path, bytes received, seconds.
for round in $(seq 1 "$ROUNDS"); do
  start=$(date +%s.%N)
  received=$(curl -sf -X POST "http://$RUNNER/v1/execute" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" \
    | wc -c) || true
  end=$(date +%s.%N)
  printf '%s\tdirect (runner)\t%s\t%s\n' "$round" "$received" "$(echo "$end - $start" | bc)" >> "$OUT/reads.tsv"
  start=$(date +%s.%N)
  received=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/runtimes/stream/executions" \
    -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -H 'accept: multipart/form-data' \
    -d '{"timeout":600}' | wc -c) || true
  end=$(date +%s.%N)
  printf '%s\thearth (multipart)\t%s\t%s\n' "$round" "$received" "$(echo "$end - $start" | bc)" >> "$OUT/reads.tsv"
done
sleep 1
AFTER_RSS=$(rss_mib "$HEARTH_PID" 2>/dev/null || echo gone)
if grep -q OutOfMemoryError "$OUT/hearth.log"; then echo "the gateway ran out of heap; see $OUT/hearth.log" >&2; fi
python3 - "$OUT/reads.tsv" "$BYTES" "$OUT/heap.txt" "$HEAP" "$IDLE_RSS" "$AFTER_RSS" "$OUT/rss.txt" <<'PY'
import sys
reads_file, wanted, heap_file, cap, idle_rss, after_rss, rss_file = sys.argv[1:]
wanted = int(wanted)
heap = [float(x) for x in open(heap_file).read().split()]
rss = [int(x) for x in open(rss_file).read().split()]
reads = [line.split("\t") for line in open(reads_file).read().splitlines()]
print("| round | path | body bytes | bytes received | seconds | MiB/s | MiB/s ÷ direct |")
print("|---:|---|---:|---:|---:|---:|---:|")
direct = {}
complete = True
for round, path, received, seconds in reads:
    mibps = wanted / float(seconds) / 2**20
    if path.startswith("direct"):
        direct[round] = mibps
    complete &= int(received or 0) >= wanted
    print(f"| {round} | {path} | {wanted} | {received} | {float(seconds):.1f} | {mibps:.0f} | {mibps / direct[round]:.2f} |")
print()
print("| -Xmx | peak heap used (MiB) | heap samples | idle RSS (MiB) | peak RSS while streaming (MiB) | RSS after (MiB) |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| {cap} | {max(heap) / 2**20:.0f} | {len(heap)} | {idle_rss} | {max(rss) if rss else '?'} | {after_rss} |")
assert complete, "a whole body did not arrive"
PY
echo "($(load))"
