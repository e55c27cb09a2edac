#!/usr/bin/env bash
# Runtime creation from a warm pool, per phase: what the gateway and the runner add beyond the function's own start.
#
#   bench/creation.sh [count]          (default 60 creations per function, after 20 of warm-up)
#
# One Hearth (local driver: a pod is a runner in the gateway's JVM) with two pools of size 2:
#   exec — bench/exec, adapter exec, `sh main.sh` (examples/hello-shell): no process to start at creation;
#   http — bench/node, adapter http, `node index.js` (bench/functions/one-kb): a Node server started at creation.
# For each function, `count` creations run one after another through `POST /v1/runtimes`, each followed by its
# `DELETE`. Before every creation the script waits until the pool's gauge `hearth_pool_pods{state="warm"}` is back
# at its size, so each creation finds a warm pod and no replenishment runs while it is measured.
# Per creation it reads the answer's `Server-Timing` (CreationServerTiming: reserve, acquire, lease, specialize with
# the source's read from storage and the runner's split extract / start, register, total) and the client's own time to the whole answer.
#   runner call = specialize − extract − start  (transport, JSON, hops around the runner's work)
#   response    = client total − the gateway's total (HTTP in and out, routing, the answer's body)
#   get (HTTP floor) = a `GET /v1/runtimes/{id}` right after, on the same connection: what any small JSON request
#                 costs this client and the gateway's HTTP stack, for comparison with `response`
# Reference, measured in the same run: the function's own start, `start`, as the runner measures it (spawn of the
# function's process until its server accepts a connection; for exec, 0: nothing is started at creation). The
# runner's readiness check is inside it (connect attempts at 2 % of the time waited: at most ~2 % of a start).
#   added by Hearth = client total − start, per creation; target (issue 12): p50 ≤ 5 ms, p99 ≤ 20 ms.
# Cross-check, `direct start`: for http, after each creation, the same `node index.js` spawned from this script
# (Python's subprocess) and connected to every 0.2 ms until it accepts. It runs slower than the runner's spawn
# (Python's fork and exec, its polling loop), so it is printed beside the reference, not subtracted.
# Writes bench/plots/creation.tsv (`phase  p50_ms  p99_ms`, phases named `exec/<phase>` and `http/<phase>`)
# and draws it with bench/plot.py when that exists. Port: HEARTH_CREATION_PORT (default 18280; 18280–18299); the
# jar: HEARTH_JAR (default gateway/target/hearth-gateway.jar, built when missing); the JVM: HEARTH_JAVA (default java
# on the PATH) with HEARTH_JAVA_OPTS (e.g. an AOT cache, see RESULTS.md).
source "$(dirname "$0")/lib.sh"
COUNT=${1:-60}
WARMUP=${HEARTH_CREATION_WARMUP:-20}
PORT=${HEARTH_CREATION_PORT:-18280}
SIZE=2
need node nodejs
JAR=${HEARTH_JAR:-$JAR}
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -o -q -B package -pl gateway -am -DskipTests)

mkdir -p "$OUT/storage"
tar -czf "$OUT/storage/exec.tar.gz" -C "$ROOT/examples/hello-shell" .
tar -czf "$OUT/storage/http.tar.gz" -C "$BENCH_DIR/functions/one-kb" .
"${HEARTH_JAVA:-java}" ${HEARTH_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --hearth.executor.secret="$SECRET" \
  --hearth.storage-root="$OUT/storage" --hearth.work-dir="$OUT/work" \
  --hearth.pools[0].image=bench/exec --hearth.pools[0].adapter=exec --hearth.pools[0].command=sh \
  --hearth.pools[0].size=$SIZE \
  --hearth.pools[1].image=bench/node --hearth.pools[1].adapter=http --hearth.pools[1].command=node \
  --hearth.pools[1].size=$SIZE --logging.level.dev.hearth=WARN > "$OUT/hearth.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null || { echo "Hearth did not start; see $OUT/hearth.log" >&2; exit 1; }

echo "creation: $COUNT creations per function after $WARMUP of warm-up, $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$PORT" "$SECRET" "$COUNT" "$WARMUP" "$SIZE" "$BENCH_DIR/functions/one-kb" "$OUT" "$ROOT/bench/plots/creation.tsv" <<'PY'
import http.client, json, os, re, socket, subprocess, sys, time

port, secret, count, warmup, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
node_dir, out, tsv = sys.argv[6], sys.argv[7], sys.argv[8]
PHASES = ["reserve", "acquire", "lease", "specialize", "source", "extract", "start", "register", "total"]
conn = http.client.HTTPConnection("127.0.0.1", port)

def call(method, path, body=None):
    headers = {"Authorization": "Bearer " + secret}
    if body is not None:
        headers["content-type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()

def warm(image):
    _, text = call("GET", "/actuator/prometheus")
    m = re.search(r'hearth_pool_pods\{[^}]*image="%s"[^}]*state="warm"[^}]*\}\s+([\d.]+)' % re.escape(image), text.decode())
    if m is None:  # tags in another order
        m = re.search(r'hearth_pool_pods\{[^}]*state="warm"[^}]*image="%s"[^}]*\}\s+([\d.]+)' % re.escape(image), text.decode())
    return int(float(m.group(1))) if m else -1

def await_warm(image):
    deadline = time.monotonic() + 30
    while warm(image) < size:
        if time.monotonic() > deadline:
            sys.exit("pool %s did not come back to %d warm pods" % (image, size))
        time.sleep(0.02)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def own_start():
    """The Node server started directly: spawn to accepting, polled every 0.2 ms."""
    p = free_port()
    env = dict(os.environ, PORT=str(p))
    t0 = time.perf_counter()
    proc = subprocess.Popen(["node", "index.js"], cwd=node_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", p)) == 0:
                    return (time.perf_counter() - t0) * 1000
            if proc.poll() is not None:
                sys.exit("node exited before listening")
            time.sleep(0.0002)
    finally:
        proc.kill()
        proc.wait()

def create(kind, image, entrypoint, n):
    runtime_id = "%s-%d" % (kind, n)
    body = json.dumps({"runtimeId": runtime_id, "image": image, "source": kind + ".tar.gz", "entrypoint": entrypoint})
    await_warm(image)
    t0 = time.perf_counter()
    response, text = call("POST", "/v1/runtimes", body)
    client = (time.perf_counter() - t0) * 1000
    if response.status != 201:
        sys.exit("creation answered %d: %s" % (response.status, text[:300]))
    timing = dict((m.group(1), float(m.group(2))) for m in re.finditer(r"(\w+);dur=([\d.]+)", response.getheader("Server-Timing", "")))
    t0 = time.perf_counter()
    got, _ = call("GET", "/v1/runtimes/" + runtime_id)
    get = (time.perf_counter() - t0) * 1000
    if got.status != 200:
        sys.exit("GET of the runtime answered %d" % got.status)
    call("DELETE", "/v1/runtimes/" + runtime_id)
    row = {p: timing.get(p, float("nan")) for p in PHASES}
    row["runner call"] = row["specialize"] - row["extract"] - row["start"]
    row["response"] = client - row["total"]
    row["get (HTTP floor)"] = get
    row["client total"] = client
    row["direct start"] = own_start() if kind == "http" else 0.0
    row["added by Hearth"] = client - row["start"]
    return row

def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q / 100 * len(values) + 0.5)) - 1))]

ORDER = ["reserve", "acquire", "lease", "specialize", "source", "extract", "start", "runner call", "register", "total",
         "response", "get (HTTP floor)", "client total", "direct start", "added by Hearth"]
results = {}
for kind, image, entrypoint in (("exec", "bench/exec", "main.sh"), ("http", "bench/node", "index.js")):
    for n in range(warmup):
        create(kind, image, entrypoint, -n - 1)
    rows = [create(kind, image, entrypoint, n) for n in range(count)]
    results[kind] = {p: (pct([r[p] for r in rows], 50), pct([r[p] for r in rows], 99)) for p in ORDER}

os.makedirs(os.path.dirname(tsv), exist_ok=True)
with open(tsv, "w") as f:
    f.write("phase\tp50_ms\tp99_ms\n")
    for kind, phases in results.items():
        for p in ORDER:
            f.write("%s/%s\t%.3f\t%.3f\n" % (kind, p, phases[p][0], phases[p][1]))

print("| phase | exec p50 ms | exec p99 ms | http p50 ms | http p99 ms |")
print("|---|---|---|---|---|")
for p in ORDER:
    e, h = results["exec"][p], results["http"][p]
    label = "**%s**" % p if p == "added by Hearth" else p
    print("| %s | %.2f | %.2f | %.2f | %.2f |" % (label, e[0], e[1], h[0], h[1]))
print()
for kind in ("exec", "http"):
    p50, p99 = results[kind]["added by Hearth"]
    verdict = "met" if p50 <= 5 and p99 <= 20 else "NOT met"
    print("%s: added by Hearth p50 %.2f ms (target ≤ 5), p99 %.2f ms (target ≤ 20): %s" % (kind, p50, p99, verdict))
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); phases in bench/plots/creation.tsv" >&2
if [ -f "$BENCH_DIR/plot.py" ]; then /usr/bin/python3 "$BENCH_DIR/plot.py" creation "$ROOT/bench/plots/creation.tsv" "$ROOT/bench/plots/creation.png"; fi
