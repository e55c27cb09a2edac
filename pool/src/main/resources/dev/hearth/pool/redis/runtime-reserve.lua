-- Adds a runtime only if no runtime of that id exists.
-- KEYS[1] runtime hash, KEYS[2] creation index; ARGV[1] runtimeId, ARGV[2] creation score,
-- ARGV[3] nonce of this reservation, ARGV[4..] field/value pairs.
-- Returns an empty array when added, else the existing hash as HGETALL returns it.
if redis.call('EXISTS', KEYS[1]) == 1 then
  -- The client re-sends in-flight commands after a reconnect: a replay of a reservation that won wins.
  if redis.call('HGET', KEYS[1], '_reservation') == ARGV[3] then
    return {}
  end
  return redis.call('HGETALL', KEYS[1])
end
redis.call('HSET', KEYS[1], '_reservation', ARGV[3], unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return {}
