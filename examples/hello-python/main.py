"""A Hearth `exec` function: one process per execution, CGI/1.1 style.

The request body arrives on stdin, request metadata in environment variables, and whatever the
process writes to stdout is the response body. stderr is the execution's error log; exit 0 means 200.
"""
import json
import os
import sys

body = sys.stdin.read()
name = os.environ.get("GREETING_NAME", "world")
print(f"handling {os.environ['REQUEST_METHOD']} {os.environ['PATH_INFO']}", file=sys.stderr)
json.dump({
    "message": f"Hello, {name}!",
    "method": os.environ["REQUEST_METHOD"],
    "path": os.environ["PATH_INFO"],
    "query": os.environ.get("QUERY_STRING", ""),
    "received": body,
}, sys.stdout)
