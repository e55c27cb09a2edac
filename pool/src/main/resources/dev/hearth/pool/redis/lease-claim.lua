-- Claims a pod if nobody holds an unexpired lease on it (Redis expiry deletes lapsed leases).
-- KEYS[1] lease hash, KEYS[2] token counter; ARGV[1] holder, ARGV[2] ttl ms, ARGV[3] nonce of this claim.
-- Returns {1, token, expiresMs} when won, {0} when the pod is held.
local lease, counter = KEYS[1], KEYS[2]
local holder, ttl, nonce = ARGV[1], tonumber(ARGV[2]), ARGV[3]

if redis.call('EXISTS', lease) == 1 then
  -- The client re-sends in-flight commands after a reconnect: a replay of a claim that already won wins.
  local held = redis.call('HMGET', lease, 'nonce', 'token', 'expires')
  if held[1] == nonce then
    return {1, tonumber(held[2]), tonumber(held[3])}
  end
  return {0}
end

-- token = max(counter + 1, Redis clock in microseconds). The clock floor keeps tokens growing when Redis
-- lost its data or failed over to a replica that missed the latest INCRs, as long as claims averaged
-- fewer than one per microsecond. Numbers go to Redis as '%d' strings: exact, never in exponent form.
local now = redis.call('TIME')
local clock = tonumber(now[1]) * 1000000 + tonumber(now[2])
local token = redis.call('INCR', counter)
if token < clock then
  token = clock
  redis.call('SET', counter, string.format('%d', token))
end
local expires = string.format('%d', math.floor(clock / 1000) + ttl)
redis.call('HSET', lease, 'holder', holder, 'token', string.format('%d', token), 'expires', expires,
  'nonce', nonce)
redis.call('PEXPIREAT', lease, expires)
return {1, token, tonumber(expires)}
