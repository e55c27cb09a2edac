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

local now = redis.call('TIME')
if redis.call('EXISTS', counter) == 0 then
  -- Seed from Redis's clock in microseconds: if Redis lost its data, new tokens still exceed old ones
  -- (unless more than a million claims per second were made on average since the last seed).
  redis.call('SET', counter, now[1] .. string.format('%06d', tonumber(now[2])))
end
local token = redis.call('INCR', counter)
local expires = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl
redis.call('HSET', lease, 'holder', holder, 'token', token, 'expires', expires, 'nonce', nonce)
redis.call('PEXPIREAT', lease, expires)
return {1, token, expires}
