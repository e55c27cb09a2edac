-- Grants up to ARGV[3] warm-pod creations to replica ARGV[1] so that, summed over live replicas,
-- warm + creating stays <= size (ARGV[2]). Counts of replicas whose liveness key (ARGV[4] .. id) is gone
-- are dropped on the way: their pods died with them.
-- KEYS[1] warm hash, KEYS[2] creating hash. Returns the number granted.
local function live_sum(key)
  local total = 0
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    if redis.call('EXISTS', ARGV[4] .. fields[i]) == 1 then
      total = total + tonumber(fields[i + 1])
    else
      redis.call('HDEL', key, fields[i])
    end
  end
  return total
end
local used = live_sum(KEYS[1]) + live_sum(KEYS[2])
local granted = math.max(0, math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) - used))
if granted > 0 then
  redis.call('HINCRBY', KEYS[2], ARGV[1], granted)
end
return granted
