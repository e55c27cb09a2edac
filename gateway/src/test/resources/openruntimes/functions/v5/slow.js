// Takes longer than any timeout the tests give it.
module.exports = async (context) => {
  await new Promise((resolve) => setTimeout(resolve, 30000));
  return context.res.text('too late');
};
