// Answers every byte value 0..255 once, as a binary body.
module.exports = async (context) => context.res.binary(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
