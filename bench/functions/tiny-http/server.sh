# Benchmark function (http adapter, command sh) for bench/scale.sh: busybox httpd serving index.html (1 KB) on $PORT.
# About 1 MB resident per runtime, where a Node server takes about 40 MB: 1,000 of them fit on the bench machine.
exec busybox httpd -f -p "127.0.0.1:$PORT" -h "$(pwd)"
