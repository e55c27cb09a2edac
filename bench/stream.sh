#!/usr/bin/env bash
# Streams a large response (default 1 GiB) from an http function through Hearth's multipart execution
# response, with the gateway's heap capped, and reports throughput and the peak heap seen while streaming.
# Usage: bench/stream.sh [bytes] [max-heap]
source "$(dirname "$0")/lib.sh"
BYTES=${1:-1073741824}
HEAP=${2:-96m}
PORT=18081
need node nodejs
build_jar

start_hearth "$PORT" bench/stream "-Xmx$HEAP"
create_runtime "$PORT" stream bench/stream "$BENCH_DIR/functions/stream" "{\"STREAM_BYTES\":\"$BYTES\"}"

sample_heap() {
  curl -sf "http://127.0.0.1:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" \
    | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["measurements"][0]["value"]))'
}
( while true; do sample_heap >> "$OUT/heap.txt" 2>/dev/null || true; sleep 0.2; done ) &
PIDS+=($!)

start=$(date +%s.%N)
received=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/runtimes/stream/executions" \
  -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -H 'accept: multipart/form-data' \
  -d '{"timeout":600}' | wc -c)
end=$(date +%s.%N)
python3 - "$received" "$BYTES" "$start" "$end" "$OUT/heap.txt" "$HEAP" <<'PY'
import sys
received, wanted, start, end, heap_file, cap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
heap = [int(x) for x in open(heap_file).read().split()]
seconds = end - start
print(f"| body bytes | multipart bytes received | seconds | MiB/s | -Xmx | peak heap used (MiB) | heap samples |")
print(f"|---|---|---|---|---|---|---|")
print(f"| {wanted} | {received} | {seconds:.1f} | {wanted / seconds / 2**20:.0f} | {cap} | {max(heap) / 2**20:.0f} | {len(heap)} |")
assert received > wanted, "the whole body did not arrive"
PY
