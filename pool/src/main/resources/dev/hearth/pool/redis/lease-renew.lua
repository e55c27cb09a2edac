-- Extends every lease whose stored token still matches; one call per batch of a replica's leases.
-- KEYS[i] lease hash; ARGV[1] ttl ms, ARGV[i + 1] the token the holder believes is current for KEYS[i].
-- Returns the positions i of the leases NOT extended (expired, released, or claimed by someone else).
local now = redis.call('TIME')
local expires = string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1]))
local lost = {}
for i, lease in ipairs(KEYS) do
  if redis.call('HGET', lease, 'token') == ARGV[i + 1] then
    redis.call('HSET', lease, 'expires', expires)
    redis.call('PEXPIREAT', lease, expires)
  else
    lost[#lost + 1] = i
  end
end
return lost
