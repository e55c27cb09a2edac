// A v2 function: echoes the payload, a variable and a header, and prints to stdout and stderr.
module.exports = async (req, res) => {
  console.log('v2 log line');
  console.error('v2 error line');
  res.json({ payload: req.payload, greeting: req.variables.GREETING || null, header: req.headers['x-v2'] || null });
};
