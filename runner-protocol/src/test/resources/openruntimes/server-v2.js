// A clean-room Open Runtimes v2 runtime server for Hearth's tests, written from the protocol as
// ../shared/reference/open-runtimes-executor.md §2.3 describes it (not from upstream code): one JSON endpoint on one
// port; the x-internal-challenge header must equal INTERNAL_RUNTIME_KEY, else 500 {"stderr":"Unauthorized"}; the body
// {variables, headers, payload} becomes the function's request; the function (req, res) answers with res.send(text,
// status) or res.json(value, status), and the server answers {response, stdout, stderr}, stdout and stderr being
// what the function printed with console.* during the call.
// Settings an image fixes are read from the environment here so that tests can run several side by side:
// HEARTH_TEST_OPR_PORT (3000), HEARTH_TEST_OPR_CODE_DIR (/usr/code-start).
// It prints one line per request it receives ("request: <method> <url> host=<host> type=<content-type>") to its own
// stdout, so that tests can see what went over the wire.
const http = require('http');
const path = require('path');

const PORT = Number(process.env.HEARTH_TEST_OPR_PORT || 3000);
const CODE_DIR = path.resolve(process.env.HEARTH_TEST_OPR_CODE_DIR || '/usr/code-start');

function answer(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function text(args) {
  return args.map((a) => (typeof a === 'object' && a !== null ? JSON.stringify(a) : String(a))).join(' ');
}

// console.* is captured per call; calls are handled one after another (the server awaits each before the next).
let queue = Promise.resolve();

async function handle(req, res, raw) {
  if (req.headers['x-internal-challenge'] !== process.env.INTERNAL_RUNTIME_KEY) {
    return answer(res, 500, { stderr: 'Unauthorized' });
  }
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return answer(res, 500, { stderr: 'Invalid JSON body' });
  }
  const request = { variables: body.variables || {}, headers: body.headers || {}, payload: body.payload ?? '' };
  const stdout = [];
  const stderr = [];
  const saved = { log: console.log, info: console.info, error: console.error, warn: console.warn };
  console.log = console.info = (...args) => stdout.push(text(args));
  console.error = console.warn = (...args) => stderr.push(text(args));
  let sent = null;
  const response = {
    send: (value, status = 200) => { sent = { status, value }; },
    json: (value, status = 200) => { sent = { status, value }; },
  };
  try {
    const fn = require(path.join(CODE_DIR, process.env.INTERNAL_RUNTIME_ENTRYPOINT || 'index.js'));
    await fn(request, response);
  } catch (e) {
    stderr.push((e && e.stack) || String(e));
    sent = { status: 500, value: undefined };
  } finally {
    Object.assign(console, saved);
  }
  const result = { stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  if (sent && sent.value !== undefined) result.response = sent.value;
  answer(res, sent ? sent.status : 200, result);
}

http.createServer((req, res) => {
  // Not console.log: a call in progress has it captured.
  process.stdout.write('request: ' + req.method + ' ' + req.url + ' host=' + req.headers.host
    + ' type=' + req.headers['content-type'] + '\n');
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    queue = queue.then(() => handle(req, res, Buffer.concat(chunks)))
      .catch((e) => answer(res, 500, { stderr: String(e) }));
  });
}).listen(PORT, '0.0.0.0', () => process.stdout.write('v2 server listening on ' + PORT + '\n'));
