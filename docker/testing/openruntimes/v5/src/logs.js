// The per-execution log files of the clean-room Open Runtimes v5 server (see server.js): /mnt/logs/<id>_logs.log
// and <id>_errors.log, written as the function logs (synchronously, so that both are complete before the response
// goes out and the executor reads then deletes them). With logging disabled nothing is written and the id is empty.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const DIRECTORY = '/mnt/logs';
const ENTRY_LIMIT = 8000;
const NATIVE_NOTICE = 'Native logs detected. Use context.log() or context.error() for better experience.';

function format(value) {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack || String(value);
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch (e) {
      return String(value);
    }
  }
  return String(value);
}

class ExecutionLogs {
  constructor(loggingHeader, idHeader) {
    this.enabled = loggingHeader !== 'disabled';
    this.id = '';
    this.nativeSeen = false;
    if (!this.enabled) return;
    this.id = idHeader || (process.env.OPEN_RUNTIMES_ENV === 'development' ? 'dev' : crypto.randomBytes(10).toString('hex'));
    fs.mkdirSync(DIRECTORY, { recursive: true });
    // Created at once, even for a request refused later (a wrong secret leaves two empty files, as upstream's do).
    this.files = { log: path.join(DIRECTORY, this.id + '_logs.log'), error: path.join(DIRECTORY, this.id + '_errors.log') };
    fs.writeFileSync(this.files.log, '');
    fs.writeFileSync(this.files.error, '');
  }

  write(type, values) {
    if (!this.enabled) return;
    let line = values.map(format).join(' ');
    if (line.length > ENTRY_LIMIT) {
      line = line.slice(0, ENTRY_LIMIT) + '... Log truncated due to size limit (' + ENTRY_LIMIT + ' characters)';
    }
    fs.appendFileSync(this.files[type], line + '\n');
  }

  /** Sends console.* to the logs file while the function runs; answers what puts console back. */
  captureNative() {
    const saved = {};
    for (const name of ['log', 'info', 'debug', 'warn', 'error']) {
      saved[name] = console[name];
      console[name] = (...values) => {
        if (!this.nativeSeen) {
          this.nativeSeen = true;
          this.write('log', [NATIVE_NOTICE]);
        }
        this.write('log', values);
      };
    }
    return () => Object.assign(console, saved);
  }
}

module.exports = { ExecutionLogs };
