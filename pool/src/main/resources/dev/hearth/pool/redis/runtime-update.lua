-- Replaces the record of an existing runtime; never recreates one removed meanwhile.
-- KEYS[1] runtime hash, KEYS[2] creation index; ARGV[1] runtimeId, ARGV[2] creation score,
-- ARGV[3] unused, ARGV[4..] field/value pairs. Returns 1 when replaced, 0 when the runtime is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local reservation = redis.call('HGET', KEYS[1], '_reservation')
-- Replace, not merge: a field that became null must disappear.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '_reservation', reservation or '', unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
