// Logs through context.log/error, an object, and console (native logs), then answers 201 with a custom header.
module.exports = async (context) => {
  context.log('first log line');
  context.log('an object', { a: 1 });
  context.error('first error line');
  console.log('native log');
  return context.res.text('logged', 201, { 'x-logged': 'yes' });
};
