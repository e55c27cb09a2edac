#!/usr/bin/env bash
# Where an execution's CPU goes: runs the hearth-json (or multipart) path of bench/run.sh under wrk with a JFR
# recording (settings=default) and prints the top frames by self samples and the Hearth/Spring/Reactor frames by
# inclusive samples. Usage: bench/profile.sh [seconds] [connections] [json|multipart] [extra java options...]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-20}
CONNECTIONS=${2:-32}
FORMAT=${3:-json}
shift $(( $# < 3 ? $# : 3 ))
HEARTH_PORT=18080
need wrk wrk; need node nodejs
build_jar

# Recording from the start: starting JFR in a running JVM (jcmd JFR.start) deoptimised this path to a fifth of its
# throughput for the rest of the run; started with the JVM it costs a few percent.
start_hearth "$HEARTH_PORT" bench/node -XX:StartFlightRecording=name=bench,settings=profile,maxage=30s "$@"
create_runtime "$HEARTH_PORT" one-kb bench/node "$BENCH_DIR/functions/one-kb"
HEARTH_PID=${PIDS[-1]}
accept=application/json; [ "$FORMAT" = multipart ] && accept=multipart/form-data
cat > "$OUT/hearth.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/","method":"GET"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "$accept"
wrk.headers["authorization"] = "Bearer $SECRET"
LUA
URL="http://127.0.0.1:$HEARTH_PORT/v1/runtimes/one-kb/executions"
echo "warming up (JIT) ..." >&2
warm_up "$OUT/hearth.lua" "$URL" "$CONNECTIONS"
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$OUT/hearth.lua" "$URL" | grep -E 'Requests/sec|Latency'
jcmd "$HEARTH_PID" JFR.dump name=bench filename="$OUT/hearth.jfr" > /dev/null
jfr print --events jdk.ExecutionSample --stack-depth 64 "$OUT/hearth.jfr" > "$OUT/samples.txt"
python3 - "$OUT/samples.txt" <<'PY'
import collections, re, sys
text = open(sys.argv[1]).read()
stacks = [re.findall(r"^\s+([\w$.<>/]+\(.*?\))\s+line:", block, re.M)
          for block in text.split("jdk.ExecutionSample")[1:]]
stacks = [s for s in stacks if s]
total = len(stacks)
def method(frame): return frame.split("(")[0]
self_counts = collections.Counter(method(s[0]) for s in stacks)
inclusive = collections.Counter()
for s in stacks:
    for m in set(method(f) for f in s):
        inclusive[m] += 1
print(f"\n{total} samples\n\n| top frames (self) | % |\n|---|---|")
for m, n in self_counts.most_common(25):
    print(f"| `{m}` | {100 * n / total:.1f} |")
print("\n| Hearth, Spring, Reactor frames (inclusive) | % |\n|---|---|")
shown = 0
for m, n in inclusive.most_common():
    if re.match(r"(dev\.hearth|org\.springframework|reactor\.|com\.fasterxml|io\.micrometer)", m):
        print(f"| `{m}` | {100 * n / total:.1f} |")
        shown += 1
        if shown == 40: break
PY
echo "recording: $OUT/hearth.jfr (kept)" >&2
trap - EXIT; cleanup
