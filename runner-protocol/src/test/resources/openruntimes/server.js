// A clean-room Open Runtimes v5 runtime server for Hearth's tests, written from the protocol as
// ../shared/reference/open-runtimes-executor.md §2.1 describes it (not from upstream code): it serves on one port,
// checks the secret, honours the timeout and logging headers, writes the per-execution log files, strips the
// control headers both ways, and passes status, headers (repeated set-cookie too) and binary bodies through.
// Settings an image fixes are read from the environment here so that tests can run several side by side:
// HEARTH_TEST_OPR_PORT (3000), HEARTH_TEST_OPR_LOGS (/mnt/logs), HEARTH_TEST_OPR_FUNCTION_DIR (src/function).
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const PORT = Number(process.env.HEARTH_TEST_OPR_PORT || 3000);
const LOGS = process.env.HEARTH_TEST_OPR_LOGS || '/mnt/logs';
const FUNCTION_DIR = path.resolve(process.env.HEARTH_TEST_OPR_FUNCTION_DIR || 'src/function');
const CONTROL = 'x-open-runtimes-';

function fail(res, message) {
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function withCharset(type) {
  if (!type) return 'text/plain; charset=utf-8';
  if (type.startsWith('multipart/') || type.includes('charset=')) return type;
  return type + '; charset=utf-8';
}

async function handle(req, res, body) {
  if (req.url === '/__opr/health') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end('OK');
  }
  const secret = process.env.OPEN_RUNTIMES_SECRET || '';
  if (secret !== '' && req.headers['x-open-runtimes-secret'] !== secret) {
    return fail(res, 'Unauthorized. Provide correct "x-open-runtimes-secret" header.');
  }
  const timeoutHeader = req.headers['x-open-runtimes-timeout'];
  let timeout = 0;
  if (timeoutHeader !== undefined) {
    timeout = Number(timeoutHeader);
    if (!Number.isInteger(timeout) || timeout <= 0) {
      return fail(res, 'Header "x-open-runtimes-timeout" must be an integer greater than 0.');
    }
  }
  const logging = req.headers['x-open-runtimes-logging'] !== 'disabled';
  const id = logging ? (req.headers['x-open-runtimes-log-id'] || crypto.randomBytes(10).toString('hex')) : '';
  const logs = [];
  const errors = [];

  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(CONTROL)) headers[name] = value;
  }
  const url = new URL(req.url, 'http://' + (req.headers.host || 'localhost'));
  let answer = { status: 200, headers: {}, body: Buffer.alloc(0) };
  const context = {
    req: {
      method: req.method, headers, host: url.hostname, path: url.pathname, url: url.href,
      query: Object.fromEntries(url.searchParams), bodyBinary: body, bodyText: body.toString('utf8'),
    },
    res: {
      send: (data, status = 200, h = {}) => ({ status, headers: h, body: Buffer.from(data ?? '') }),
      text: (data, status = 200, h = {}) => ({ status, headers: h, body: Buffer.from(String(data)) }),
      json: (data, status = 200, h = {}) => ({ status, headers: { 'content-type': 'application/json', ...h },
        body: Buffer.from(JSON.stringify(data)) }),
      binary: (bytes, status = 200, h = {}) => ({ status, headers: h, body: Buffer.from(bytes) }),
      empty: () => ({ status: 204, headers: {}, body: Buffer.alloc(0) }),
    },
    log: (...args) => logs.push(args.map(String).join(' ') + '\n'),
    error: (...args) => errors.push(args.map(String).join(' ') + '\n'),
  };
  try {
    const entry = path.join(FUNCTION_DIR, process.env.OPEN_RUNTIMES_ENTRYPOINT || 'index.js');
    const run = require(entry)(context);
    const outcome = timeout > 0
      ? await Promise.race([run, new Promise((resolve) => setTimeout(() => resolve('timeout'), timeout * 1000))])
      : await run;
    if (outcome === 'timeout') {
      errors.push('Execution timed out.');
      answer = { status: 500, headers: {}, body: Buffer.alloc(0) };
    } else if (!outcome) {
      errors.push('Return statement missing. return context.res.empty() if no response is expected.');
      answer = { status: 500, headers: {}, body: Buffer.alloc(0) };
    } else {
      answer = outcome;
    }
  } catch (e) {
    errors.push((e && e.stack) || String(e));
    answer = { status: 500, headers: {}, body: Buffer.alloc(0) };
  }
  if (logging) {
    fs.mkdirSync(LOGS, { recursive: true });
    fs.writeFileSync(path.join(LOGS, id + '_logs.log'), logs.join(''));
    fs.writeFileSync(path.join(LOGS, id + '_errors.log'), errors.join(''));
  }
  const out = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (!name.toLowerCase().startsWith(CONTROL)) out[name.toLowerCase()] = value;
  }
  out['content-type'] = withCharset(out['content-type']);
  out['x-open-runtimes-log-id'] = encodeURIComponent(id);
  res.writeHead(answer.status, out);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)).catch((e) => fail(res, String(e))));
}).listen(PORT, '0.0.0.0', () => console.log('HTTP server successfully started!'));
