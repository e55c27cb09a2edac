-- Ends a lease only if it is still the one the caller holds, so a stale release cannot end a newer lease.
-- KEYS[1] lease hash; ARGV[1] token. Returns 1 when deleted, 0 otherwise (idempotent).
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
