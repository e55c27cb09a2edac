// Benchmark function (http adapter): answers every request with the same 1 KB body.
const http = require('http');
const body = Buffer.alloc(1024, 'x');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
