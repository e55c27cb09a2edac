#!/usr/bin/env bash
# Where an execution's CPU goes: runs the hearth-json (or multipart) path of bench/run.sh under wrk with a JFR
# recording (settings=profile) and prints, for the event loops' samples, the top frames by self samples and the
# CPU by component (the innermost frame outside the JDK: Hearth, Spring, Jackson, Reactor, Netty...).
# Usage: bench/profile.sh [seconds] [connections] [json|multipart] [extra java options...]
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
# Only the event loops' samples: every execution runs there (the rest is start-up, the JIT's and JFR's own threads).
samples = []
for block in open(sys.argv[1]).read().split("jdk.ExecutionSample")[1:]:
    thread = re.search(r'sampledThread = "([^"]*)"', block)
    frames = [f.split("(")[0] for f in re.findall(r"^\s+([\w$.<>/]+\(.*?\))\s+line:", block, re.M)]
    if frames and thread and thread.group(1).startswith("reactor-http-"):
        samples.append(frames)
total = len(samples)
print(f"\n{total} event-loop samples\n\n| top frames (self) | % |\n|---|---|")
for m, n in collections.Counter(s[0] for s in samples).most_common(25):
    print(f"| `{m}` | {100 * n / total:.1f} |")
# Each sample charged to the component of its innermost frame outside the JDK (the JDK's frames do that code's work).
COMPONENTS = [
    ("Hearth gateway (params, writers, handler, auth, metrics)", "dev.hearth.gateway"),
    ("Hearth runner (the pod's side)", ("dev.hearth.runner.server", "dev.hearth.runner.adapter", "dev.hearth.runner.http")),
    ("Hearth runner client and protocol", "dev.hearth.runner"),
    ("Hearth pool (runtime lookup)", "dev.hearth.pool"),
    ("Jackson", ("tools.jackson", "com.fasterxml.jackson")),
    ("Micrometer (metrics, observation)", "io.micrometer"),
    ("Spring WebFlux and Spring core", "org.springframework"),
    ("logging checks", ("ch.qos.logback", "org.apache.commons.logging", "org.slf4j")),
    ("Reactor Netty HTTP server", "reactor.netty.http.server"),
    ("Reactor Netty HTTP client and its connection pool",
     ("reactor.netty.http.client", "reactor.netty.resources", "reactor.netty.internal.shaded.reactor.pool")),
    ("Reactor Netty channel operations", "reactor.netty"),
    ("Reactor core operators", ("reactor.core", "reactor.util")),
    ("Netty HTTP codec", "io.netty.handler.codec"),
    ("Netty transport, buffers, event loop", "io.netty"),
]
def component(frames):
    for frame in frames:
        for name, prefix in COMPONENTS:
            if frame.startswith(prefix):
                return name
    return "JDK only"
print("\n| component (self samples) | % of event-loop CPU |\n|---|---:|")
for name, n in collections.Counter(component(s) for s in samples).most_common():
    print(f"| {name} | {100 * n / total:.1f} |")
PY
echo "recording: $OUT/hearth.jfr (kept)" >&2
trap - EXIT; cleanup
