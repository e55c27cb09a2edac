// Throws: the runtime answers 500 with the stack in the errors log.
module.exports = async (context) => {
  context.log('before the throw');
  throw new Error('thrown by the function');
};
