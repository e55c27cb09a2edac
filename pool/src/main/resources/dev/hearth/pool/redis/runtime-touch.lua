-- Records activity on an existing runtime; creates nothing. KEYS[1] runtime hash; ARGV[1] ISO-8601 instant.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'updated', ARGV[1])
return 1
