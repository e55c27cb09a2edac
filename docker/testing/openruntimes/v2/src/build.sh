#!/bin/sh
# The v2 build, as `tar -zxf /tmp/code.tar.gz -C /usr/code && cd /usr/local/src/ && ./build.sh` runs it: the source in
# /usr/code is copied to /usr/builds (the user's files stay untouched), dependencies installed when there is a
# package.json and npm (this image has none), and the result packed into /usr/code/code.tar.gz.
set -e
mkdir -p /usr/builds
cp -R /usr/code/. /usr/builds/
cd /usr/builds
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
	npm install
fi
tar --exclude=./code.tar.gz -czf /tmp/v2-build.tar.gz .
mv /tmp/v2-build.tar.gz /usr/code/code.tar.gz
echo "Build finished."
