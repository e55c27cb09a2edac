#!/usr/bin/env bash
# The floor under bench/runner-start.sh: what a JVM costs with the runner's flags before any runner code runs.
#
#   bench/jvm-floor.sh [RUNS]
#
# For JDK 17 (the JDK javac belongs to) and JDK 25 (/usr/lib/jvm/temurin-25-jdk-amd64, when present), on a jlink'd
# JRE of java.base and jdk.httpserver with its CDS archive dumped for Serial GC, like the distribution's:
#   idle     a main that prints and sleeps: RSS (anon / file) one second after start
#   health   the JDK's own HTTP server answering GET /v1/health, with a dynamic AppCDS archive of it: start to
#            the first 200 and RSS then (the smallest runner the JDK alone could be)
# Runs interleaved; prints median (min–max). The launcher's flags, without the class path's archive options.
set -euo pipefail
runs=${1:-7}
flags=(-XX:+UseSerialGC -Xms8m -XX:MaxRAMPercentage=25 -Xss512k -XX:TieredStopAtLevel=1 -XX:-UsePerfData
  -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
work=$(mktemp -d /tmp/hearth-jvm-floor.XXXXXX)
pid=
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

cat >"$work/Idle.java" <<'EOF'
public class Idle {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        Thread.sleep(600_000);
    }
}
EOF
cat >"$work/Health.java" <<'EOF'
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;

public class Health {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        byte[] ok = "{\"status\":\"ok\"}".getBytes();
        server.createContext("/v1/health", exchange -> {
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
    }
}
EOF

jdk17=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
jdks=("17|$jdk17")
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ]; then jdks+=("25|/usr/lib/jvm/temurin-25-jdk-amd64"); fi
"$jdk17/bin/javac" --release 17 -d "$work/classes" "$work/Idle.java" "$work/Health.java"
"$jdk17/bin/jar" cf "$work/floor.jar" -C "$work/classes" .   # AppCDS archives classes from jars only

free_port() {
  local port=$((20000 + RANDOM % 20000))
  while { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do exec 3<&-; port=$((20000 + RANDOM % 20000)); done
  echo "$port"
}
healthy() {
  kill -0 "$pid" 2>/dev/null || { echo "jvm-floor: the JVM exited" >&2; exit 1; }
  curl -fs -o /dev/null "http://127.0.0.1:$1/v1/health"
}
kb() { sed -nE "s/^$1:[[:space:]]*([0-9]+) kB/\1/p" "/proc/$pid/status"; }

for entry in "${jdks[@]}"; do
  IFS='|' read -r v home <<<"$entry"
  jre=$work/jre$v
  "$home/bin/jlink" --add-modules java.base,jdk.httpserver --strip-debug --no-man-pages --no-header-files \
    --output "$jre" 2>/dev/null
  "$jre/bin/java" -XX:+UseSerialGC -Xshare:dump >/dev/null 2>&1
  # The training run: the archive is written when the JVM exits (its warnings about JFR classes are expected).
  port=$(free_port)
  "$jre/bin/java" "${flags[@]}" -XX:ArchiveClassesAtExit="$work/health$v.jsa" -cp "$work/floor.jar" Health "$port" >/dev/null 2>&1 &
  pid=$!
  until healthy "$port"; do sleep 0.01; done
  kill "$pid"; wait "$pid" || true; pid=
done

for i in $(seq "$runs"); do
  for entry in "${jdks[@]}"; do
    IFS='|' read -r v _ <<<"$entry"
    java=$work/jre$v/bin/java
    "$java" "${flags[@]}" -cp "$work/floor.jar" Idle >/dev/null &
    pid=$!
    sleep 1
    echo "idle-jdk$v 0 $(kb VmRSS) $(kb RssAnon) $(kb RssFile)" >>"$work/results"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    port=$(free_port)
    t0=$EPOCHREALTIME
    "$java" "${flags[@]}" -XX:SharedArchiveFile="$work/health$v.jsa" -cp "$work/floor.jar" Health "$port" &
    pid=$!
    until healthy "$port"; do sleep 0.005; done
    t1=$EPOCHREALTIME
    echo "health-jdk$v $(( (${t1/./} - ${t0/./}) / 1000 )) $(kb VmRSS) $(kb RssAnon) $(kb RssFile)" >>"$work/results"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done

echo "jvm-floor: $runs runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '| JVM | start→healthy ms | RSS MB | anon MB | file MB |\n|---|---|---|---|---|\n'
for name in $(awk '{ print $1 }' "$work/results" | sort -u); do
  med() { awk -v n="$name" -v c="$1" '$1 == n { print $c }' "$work/results" | sort -n | awk '
    { v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
  read -r s smin smax < <(med 2); read -r r rmin rmax < <(med 3); read -r a _ _ < <(med 4); read -r f _ _ < <(med 5)
  awk -v n="$name" -v s="$s" -v smin="$smin" -v smax="$smax" -v r="$r" -v rmin="$rmin" -v rmax="$rmax" -v a="$a" \
      -v f="$f" 'BEGIN { printf "| %s | %s | %.1f (%.1f–%.1f) | %.1f | %.1f |\n", n,
      (s ? s " (" smin "–" smax ")" : "—"), r / 1024, rmin / 1024, rmax / 1024, a / 1024, f / 1024 }'
done
