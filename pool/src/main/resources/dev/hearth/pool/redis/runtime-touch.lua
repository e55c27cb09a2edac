-- Records activity on existing runtimes; creates nothing and never moves `updated` back.
-- KEYS[i] runtime hash; ARGV[i] ISO-8601 instant (UTC, fixed width to the nanosecond, so strings compare as times).
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local current = redis.call('HGET', KEYS[i], 'updated')
    if not current or current < ARGV[i] then
      redis.call('HSET', KEYS[i], 'updated', ARGV[i])
    end
  end
end
return #KEYS
