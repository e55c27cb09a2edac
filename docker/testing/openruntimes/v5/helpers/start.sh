#!/bin/bash
# helpers/start.sh "<start command>" (Open Runtimes v5, clean-room): puts the built code in place and starts the
# server. The executor's runtimeEntrypoint is `cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh
# "bash helpers/server.sh"`.
#   1. Extracts the build archive into /usr/local/server/src/function: /mnt/code/code.tar.gz (or code.tar), else
#      /tmp/code.tar.gz when the entrypoint did not copy it. gzip or plain tar, told apart by the first bytes, as a
#      build with OPEN_RUNTIMES_BUILD_COMPRESSION=none still names its tar code.tar.gz.
#   2. Exports what the build recorded in src/function/.open-runtimes (the build's entrypoint wins over the env).
#   3. Runs the start command in /usr/local/server, its output passed through, and records the time to the
#      server's "HTTP server successfully started!" line in /mnt/telemetry/timings.txt (served on /__opr/timings).
set -e
shopt -s dotglob

function_dir=/usr/local/server/src/function
say() { echo "[open-runtimes] $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

archive=""
for candidate in /mnt/code/code.tar.gz /mnt/code/code.tar /tmp/code.tar.gz /tmp/code.tar; do
	if [ -f "$candidate" ]; then
		archive="$candidate"
		break
	fi
done
if [ -z "$archive" ]; then
	say "Code archive not found."
	exit 1
fi

mkdir -p /mnt/telemetry "$function_dir"
say "Code extraction started."
started=$(now)
if [ "$(head -c2 "$archive" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]; then
	tar -xzf "$archive" -C "$function_dir"
else
	tar -xf "$archive" -C "$function_dir"
fi
echo "extract=$(seconds_since "$started")" >>/mnt/telemetry/timings.txt
say "Code extraction finished."

if [ -f "$function_dir/.open-runtimes" ]; then
	set -o allexport
	. "$function_dir/.open-runtimes"
	set +o allexport
fi

cd /usr/local/server
say "Runtime started."
started=$(now)
bash -c "$1" 2>&1 | {
	timed=""
	while IFS= read -r line; do
		printf '%s\n' "$line"
		if [ -z "$timed" ] && [[ "$line" == *"HTTP server successfully started"* ]]; then
			echo "startup=$(seconds_since "$started")" >>/mnt/telemetry/timings.txt
			timed=yes
		fi
	done
}
