// One entrypoint for every fixture of this directory, chosen by the request's path (/logs → logs.js; any other path,
// echo.js), so that one runtime serves them all: the tests run one Open Runtimes server at a time.
const path = require('path');
const fs = require('fs');

module.exports = async (context) => {
  const name = context.req.path.replace(/^\/+/, '').split('/')[0];
  const file = path.join(__dirname, name + '.js');
  const fixture = name && name !== 'index' && fs.existsSync(file) ? file : path.join(__dirname, 'echo.js');
  return require(fixture)(context);
};
