// Benchmark function (http adapter): streams STREAM_BYTES (default 1 GiB) of zeros, honouring backpressure.
const http = require('http');
const total = Number(process.env.STREAM_BYTES || 1024 * 1024 * 1024);
const chunk = Buffer.alloc(64 * 1024);
http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}).listen(Number(process.env.PORT), '127.0.0.1');
