#!/bin/bash
# helpers/build.sh "<install command>" (Open Runtimes v5, clean-room). The executor runs
# `tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh '<install command>'` in /usr/local/server:
#   1. copies the extracted source from /mnt/code to /usr/local/build and runs the install command there (bash -c);
#   2. records OPEN_RUNTIMES_ENTRYPOINT in .open-runtimes, which helpers/start.sh exports at start;
#   3. packs the build (OPEN_RUNTIMES_OUTPUT_DIRECTORY of it when set) into /mnt/code/code.tar.gz, gzip unless
#      OPEN_RUNTIMES_BUILD_COMPRESSION=none (a plain tar under the same name), and says "Build finished.".
# Any failure ends the build with a non-zero status: the executor's build_failed.
set -e
shopt -s dotglob

say() { echo "[open-runtimes] $*"; }

if [ -z "$(ls -A /mnt/code 2>/dev/null)" ]; then
	say "Error: No source code found. Ensure your source isn't empty."
	exit 1
fi

say "Environment preparation started."
mkdir -p /usr/local/build
cp -R /mnt/code/* /usr/local/build/
cd /usr/local/build
say "Environment preparation finished."

say "Build command execution started."
bash -c "$1"
say "Build command execution finished."

say "Build packaging started."
if [ -n "$OPEN_RUNTIMES_OUTPUT_DIRECTORY" ]; then
	if [ -z "$(ls -A "$OPEN_RUNTIMES_OUTPUT_DIRECTORY" 2>/dev/null)" ]; then
		say "Error: No build output found. Ensure your output directory isn't empty."
		exit 1
	fi
	cd "$OPEN_RUNTIMES_OUTPUT_DIRECTORY"
fi
{
	echo "OPEN_RUNTIMES_ENTRYPOINT=$OPEN_RUNTIMES_ENTRYPOINT"
	echo "OPEN_RUNTIMES_COMPRESSION=${OPEN_RUNTIMES_BUILD_COMPRESSION:-gzip}"
} >.open-runtimes
# Packed beside the archive it writes: tar first, then moved in place, so no reader sees half an archive.
packed=$(mktemp /tmp/open-runtimes-build.XXXXXX)
if [ "$OPEN_RUNTIMES_BUILD_COMPRESSION" = "none" ]; then
	tar --exclude=./code.tar.gz --exclude=./code.tar -cf "$packed" .
else
	tar --exclude=./code.tar.gz --exclude=./code.tar -czf "$packed" .
fi
chmod 0644 "$packed"
mv "$packed" /mnt/code/code.tar.gz
say "Build packaging finished."
say "Build finished."
