// Sets two cookies: the runtime sends two set-cookie lines.
module.exports = async (context) => context.res.text('cookies', 200, { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
