-- Warm pods summed over live replicas (liveness keys ARGV[1] .. id). KEYS[1] warm hash.
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if redis.call('EXISTS', ARGV[1] .. fields[i]) == 1 then
    total = total + tonumber(fields[i + 1])
  end
end
return total
