// A clean-room Open Runtimes v5 runtime server for Hearth's test image, written from the runtime protocol as
// ../shared/reference/open-runtimes-executor.md §2.1 and §2.6 describe it (not from upstream code), with Node's own
// http module only. On port 3000, as every v5 image: GET /__opr/health and /__opr/timings without the secret; any
// other request must carry x-open-runtimes-secret (when OPEN_RUNTIMES_SECRET is set), may carry
// x-open-runtimes-timeout (seconds), x-open-runtimes-logging (enabled|disabled) and x-open-runtimes-log-id, and runs
// the function module /usr/local/server/src/function/$OPEN_RUNTIMES_ENTRYPOINT:
//   module.exports = async (context) => context.res.text('hi')
// with context.req {method, headers, host, scheme, port, path, query, queryString, url, body, bodyRaw, bodyText,
// bodyJson, bodyBinary}, context.res {send, text, json, binary, empty, redirect} and context.log/error. The answer
// carries the function's status and headers (a header given as an array goes out as repeated lines, set-cookie
// too) and its body byte for byte, plus x-open-runtimes-log-id.
const http = require('http');
const fs = require('fs');
const path = require('path');
const { ExecutionLogs } = require('./logs');

const PORT = 3000;
const FUNCTION_DIR = '/usr/local/server/src/function';
const CONTROL = 'x-open-runtimes-';
const BODY_LIMIT = 20 * 1024 * 1024;

function reply(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) req.destroy(new Error('Request body over 20 MB.'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function functionHeaders(req) {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(CONTROL)) headers[name] = value;
  }
  // OPEN_RUNTIMES_HEADERS is enforced on the request the function sees, over the client's values.
  const enforced = JSON.parse(process.env.OPEN_RUNTIMES_HEADERS || '{}');
  for (const [name, value] of Object.entries(enforced)) headers[name.toLowerCase()] = String(value);
  return headers;
}

function request(req, headers, body) {
  const scheme = req.headers['x-forwarded-proto'] || 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const [host, portText] = (req.headers.host || '').split(':');
  const port = portText ? Number(portText) : defaultPort;
  const [pathPart, ...rest] = req.url.split('?');
  const queryString = rest.join('?');
  const query = {};
  for (const pair of queryString.split('&')) {
    const [key, ...value] = pair.split('=');
    if (key) query[key] = value.join('=');
  }
  const contentType = (req.headers['content-type'] || 'text/plain').toLowerCase();
  return {
    method: req.method, headers, host, scheme, port, path: pathPart, query, queryString,
    url: scheme + '://' + host + (port === defaultPort ? '' : ':' + port) + pathPart + (queryString ? '?' + queryString : ''),
    bodyBinary: body,
    get bodyText() { return body.toString('utf8'); },
    get bodyRaw() { return this.bodyText; },
    get bodyJson() { return JSON.parse(this.bodyText); },
    get body() {
      if (!contentType.startsWith('application/json')) return this.bodyText;
      return body.length > 0 ? this.bodyJson : {};
    },
  };
}

const response = {
  send: (body, statusCode = 200, headers = {}) => ({ body, statusCode, headers }),
  binary: (bytes, statusCode = 200, headers = {}) => ({ body: bytes, statusCode, headers }),
  text: (text, statusCode = 200, headers = {}) => ({ body: Buffer.from(String(text), 'utf8'), statusCode, headers }),
  json: (value, statusCode = 200, headers = {}) =>
    response.text(JSON.stringify(value), statusCode, { ...headers, 'content-type': 'application/json' }),
  empty: () => response.text('', 204, {}),
  redirect: (url, statusCode = 301, headers = {}) => response.text('', statusCode, { ...headers, location: url }),
};

function loadFunction(logs) {
  const entrypoint = process.env.OPEN_RUNTIMES_ENTRYPOINT || '';
  const file = path.join(FUNCTION_DIR, entrypoint);
  if (!entrypoint || !fs.existsSync(file)) {
    logs.write('error', ['Failed to load entrypoint, file ' + entrypoint + ' does not exist.']);
    return null;
  }
  try {
    const loaded = require(file);
    const fn = typeof loaded === 'function' ? loaded : loaded && loaded.default;
    if (typeof fn !== 'function') throw new TypeError('Function signature invalid. Did you forget to export a function?');
    return fn;
  } catch (e) {
    logs.write('error', ['Failed to load module: ' + (e && e.message)]);
    return null;
  }
}

/** Runs the function against its timeout; answers its output, or the runtime's own 500 with the reason logged. */
async function run(fn, context, timeout, logs) {
  const restore = logs.captureNative();
  try {
    const execution = Promise.resolve().then(() => fn(context));
    if (timeout === null) return await execution;
    let timer;
    const expiry = new Promise((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), timeout * 1000); });
    const outcome = await Promise.race([execution, expiry]);
    clearTimeout(timer);
    if (outcome === TIMED_OUT) {
      logs.write('error', ['Execution timed out.']);
      return response.text('', 500);
    }
    return outcome;
  } catch (e) {
    logs.write('error', [(e && e.stack) || String(e)]);
    return response.text('', 500);
  } finally {
    restore();
  }
}
const TIMED_OUT = Symbol('timed out');

function bytes(body) {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array || Array.isArray(body)) return Buffer.from(body);
  return Buffer.from(body === null || body === undefined ? '' : String(body), 'utf8');
}

async function execute(req, res) {
  const logs = new ExecutionLogs(req.headers['x-open-runtimes-logging'], req.headers['x-open-runtimes-log-id']);
  const timeoutHeader = req.headers['x-open-runtimes-timeout'] || '';
  const timeout = timeoutHeader === '' ? null : Number(timeoutHeader);
  if (timeout !== null && !(Number.isInteger(timeout) && timeout > 0)) {
    return reply(res, 500, {}, 'Header "x-open-runtimes-timeout" must be an integer greater than 0.');
  }
  const secret = process.env.OPEN_RUNTIMES_SECRET || '';
  if (secret !== '' && req.headers['x-open-runtimes-secret'] !== secret) {
    return reply(res, 500, {}, 'Unauthorized. Provide correct "x-open-runtimes-secret" header.');
  }
  const body = await readBody(req);
  const context = {
    req: request(req, functionHeaders(req), body),
    res: response,
    log: (...values) => logs.write('log', values),
    error: (...values) => logs.write('error', values),
  };
  const fn = loadFunction(logs);
  let output = fn === null ? response.text('', 503) : await run(fn, context, timeout, logs);
  if (output === null || output === undefined) {
    logs.write('error', ['Return statement missing. return context.res.empty() if no response is expected.']);
    output = response.text('', 500);
  }
  const headers = {};
  for (const [name, value] of Object.entries(output.headers || {})) {
    if (!name.toLowerCase().startsWith(CONTROL)) headers[name.toLowerCase()] = value;
  }
  const type = String(headers['content-type'] || 'text/plain').toLowerCase();
  headers['content-type'] = type.startsWith('multipart/') || type.includes('charset=') ? type : type + '; charset=utf-8';
  headers['x-open-runtimes-log-id'] = logs.id;
  reply(res, output.statusCode || 200, headers, bytes(output.body));
}

http.createServer((req, res) => {
  if (req.url === '/__opr/health') return reply(res, 200, {}, 'OK');
  if (req.url === '/__opr/timings') {
    const timings = fs.existsSync('/mnt/telemetry/timings.txt') ? fs.readFileSync('/mnt/telemetry/timings.txt') : '';
    return reply(res, 200, { 'content-type': 'text/plain; charset=utf-8' }, timings);
  }
  execute(req, res).catch((e) => {
    if (!res.headersSent) reply(res, 500, {}, '');
    console.error(e);
  });
}).listen(PORT, '0.0.0.0', () => console.log('HTTP server successfully started!'));
