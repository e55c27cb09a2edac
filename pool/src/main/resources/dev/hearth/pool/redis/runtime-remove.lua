-- Removes a runtime and its index entry. KEYS[1] runtime hash, KEYS[2] creation index; ARGV[1] runtimeId.
-- Returns the removed hash as a flat field/value list, empty when there was none.
local record = redis.call('HGETALL', KEYS[1])
if #record > 0 then
  redis.call('DEL', KEYS[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
return record
