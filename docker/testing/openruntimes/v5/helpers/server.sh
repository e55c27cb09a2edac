#!/bin/bash
# The start command an executor passes to helpers/start.sh: runs the image's server, as OPEN_RUNTIMES_SERVER_COMMAND
# names it, in place of this shell.
set -e
exec bash -c "$OPEN_RUNTIMES_SERVER_COMMAND"
