#!/bin/sh
# The v2 image's command: the code (the build's /usr/code/code.tar.gz, which the executor mounts or copies to
# /tmp/code.tar.gz) is extracted into /usr/code-start, then the server runs in this process's place.
set -e
mkdir -p /usr/code-start
tar -xzf /tmp/code.tar.gz -C /usr/code-start
cd /usr/local/src
exec node server.js
