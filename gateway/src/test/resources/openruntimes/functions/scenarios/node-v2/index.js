// upstream's node-v2 scenario (runtime protocol v2): answers a JSON object with a non-ASCII character and logs nothing.
module.exports = async (req, res) => {
  res.json({ message: 'Hello Open Runtimes 👋' });
};
