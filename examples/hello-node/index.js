// A Hearth `http` function: a long-lived HTTP server on $PORT, started once when the runtime is created.
// Executions are proxied to it; its stdout and stderr lines are the runtime's logs.
const http = require('http');

const name = process.env.GREETING_NAME || 'world';
let served = 0;

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    served += 1;
    console.log(`handling ${req.method} ${req.url} (#${served})`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      message: `Hello, ${name}!`,
      method: req.method,
      url: req.url,
      served,
      received: Buffer.concat(chunks).toString('utf8'),
    }));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
