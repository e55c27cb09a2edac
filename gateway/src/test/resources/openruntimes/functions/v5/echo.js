// Echoes what reached the function: method, url, host, path, query, headers, the body and the variables named in
// the request's x-echo-variables header (comma-separated), as JSON. Logs one line and one error line.
module.exports = async (context) => {
  const wanted = (context.req.headers['x-echo-variables'] || '').split(',').filter((name) => name);
  const variables = {};
  for (const name of wanted) variables[name] = process.env[name] === undefined ? null : process.env[name];
  context.log('echo', context.req.method, context.req.path);
  context.error('echo error line');
  return context.res.json({
    method: context.req.method,
    url: context.req.url,
    host: context.req.host,
    path: context.req.path,
    query: context.req.query,
    headers: context.req.headers,
    body: context.req.bodyText,
    variables,
  }, 200, { 'x-echo': 'yes' });
};
