// upstream's node-logs scenario (v5): logs N MiB, N being the request body ("1", "5", "15"), as 1024 × N lines of
// 1,023 "A"s (each line 1 KiB with the newline context.log adds), then answers "OK".
module.exports = async (context) => {
  const line = 'A'.repeat(1023);
  const lines = 1024 * Number(context.req.bodyText);
  for (let i = 0; i < lines; i++) {
    context.log(line);
  }
  return context.res.send('OK');
};
