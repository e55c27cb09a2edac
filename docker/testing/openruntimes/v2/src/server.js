// A clean-room Open Runtimes v2 (legacy) runtime server for Hearth's test image, written from the protocol as
// ../shared/reference/open-runtimes-executor.md §2.3 describes it (not from upstream code), Node's http module only.
// POST / on port 3000 (any path answers the same): x-internal-challenge must equal INTERNAL_RUNTIME_KEY, else 500
// {"stderr":"Unauthorized"}; the body is JSON {variables, headers, payload}; the function module
// /usr/code-start/$INTERNAL_RUNTIME_ENTRYPOINT is called as (req, res) with req {variables, headers, payload} and
// answers with res.send(text, status) or res.json(value, status), which become JSON {response, stdout, stderr}:
// what the function printed with console.log/info/debug (stdout) and console.error/warn (stderr), one line each.
const http = require('http');
const path = require('path');

const CODE_DIR = '/usr/code-start';

function answer(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function printable(values) {
  return values.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' ');
}

/** Sends console.* into the two lists while the function runs; answers what puts console back. */
function capture(stdout, stderr) {
  const saved = {};
  for (const name of ['log', 'info', 'debug', 'warn', 'error']) {
    saved[name] = console[name];
    const into = name === 'warn' || name === 'error' ? stderr : stdout;
    console[name] = (...values) => into.push(printable(values));
  }
  return () => Object.assign(console, saved);
}

async function execute(req, res, raw) {
  if (req.headers['x-internal-challenge'] !== process.env.INTERNAL_RUNTIME_KEY) {
    return answer(res, 500, { stderr: 'Unauthorized' });
  }
  let body;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}');
  } catch (e) {
    return answer(res, 500, { stderr: 'Invalid JSON body: ' + e.message });
  }
  const request = { variables: body.variables || {}, headers: body.headers || {}, payload: body.payload || '' };
  const stdout = [];
  const stderr = [];
  let result = null;
  const response = {
    send: (text, status = 200) => { result = { status, response: text }; },
    json: (value, status = 200) => { result = { status, response: value }; },
  };
  const restore = capture(stdout, stderr);
  try {
    const loaded = require(path.join(CODE_DIR, process.env.INTERNAL_RUNTIME_ENTRYPOINT || 'index.js'));
    await (typeof loaded === 'function' ? loaded : loaded.default)(request, response);
  } catch (e) {
    restore();
    const reason = e && e.code === 'MODULE_NOT_FOUND' ? 'Code file not found.' : (e && e.stack) || String(e);
    stderr.push(reason);
    return answer(res, 500, { stdout: stdout.join('\n'), stderr: stderr.join('\n') });
  }
  restore();
  if (result === null) {
    stderr.push('The function answered neither res.send nor res.json.');
    return answer(res, 500, { stdout: stdout.join('\n'), stderr: stderr.join('\n') });
  }
  answer(res, result.status, { response: result.response, stdout: stdout.join('\n'), stderr: stderr.join('\n') });
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => execute(req, res, Buffer.concat(chunks)).catch((e) => answer(res, 500, { stderr: String(e) })));
}).listen(3000, '0.0.0.0', () => console.log('HTTP server successfully started!'));
