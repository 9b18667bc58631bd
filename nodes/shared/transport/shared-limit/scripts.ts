/**
 * The shared limit's state in Redis, changed only by these scripts (each runs atomically). Per
 * provider origin and API key (the keys hold a hash of both, never the key):
 * - `…:leases`, a sorted set of the attempts in flight on every worker: lease id → expiry (ms,
 *   Redis' own clock). The holder renews its leases while the attempt runs; a lease whose worker
 *   died is not renewed and is pruned by the next acquire, so its slot frees within the lease TTL.
 * - `…:state`, a hash with what the workers learned together: the limit, a pause a retry-after
 *   asked for, and the adaptive limiter's bookkeeping (see AdaptiveLimiter, which this mirrors
 *   with the in-flight level counted across all workers). It expires when unused.
 */

/** Redis' clock in ms; TIME in a script needs effect replication before Redis 7 (a no-op since). */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: state, leases. ARGV: lease id, lease TTL ms, max limit, state TTL ms, starting limit.
 * Returns {1, level, limit} (granted; level = attempts in flight with this one) or {0, wait ms,
 * limit} (refused; 0 = full, try again when a slot may have freed; > 0 = paused for that long).
 */
export const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or ARGV[5])
if now < paused then return {0, paused - now, limit} end
local n = redis.call('ZCARD', KEYS[2])
if n >= limit then return {0, 0, limit} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, n + 1, limit}
`;

/** KEYS: leases. ARGV: lease TTL ms, then the lease ids to renew (those already pruned stay gone). */
export const RENEW = `${NOW}
local renewed = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
    renewed = renewed + 1
  end
end
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[1])) end
return renewed
`;

/**
 * KEYS: state, leases. ARGV: lease id, outcome ('ok' | 'rate-limited' | 'failed'), retry-after ms
 * (0: none), level at acquire, max limit, retry-after cap ms, careful probe rounds, state TTL ms,
 * starting limit. Learns from the outcome as AdaptiveLimiter.feedback does, then frees the slot,
 * with one difference: a shared limit starts at the starting limit (not the max) and, until its
 * first 429, grows by one per success (doubling per round, as TCP's slow start), because many
 * workers starting their executions at once would otherwise send the max in one burst.
 */
export const RELEASE = `${NOW}
local s = KEYS[1]
local function get(field, default)
  local v = redis.call('HGET', s, field)
  if v then return tonumber(v) end
  return default
end
local outcome, retryAfter, level = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local max, cap, rounds = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
-- This attempt still counts as in flight, as in the local limiter (even if its lease lapsed).
local inFlight = redis.call('ZCARD', KEYS[2])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then inFlight = inFlight + 1 end
local limit, throttled, successes = get('limit', tonumber(ARGV[9])), get('throttled', 0), get('successes', 0)
local proven, sinceOk, paused = get('proven', 0), get('sinceOk', 1), get('pausedUntil', 0)
local stormLimit = get('stormLimit', -1)
local grown = get('grown', 0)
if outcome == 'rate-limited' then
  if stormLimit < 0 then
    stormLimit = limit
    redis.call('HSET', s, 'stormThrottled', throttled, 'stormSolo', 0)
  end
  if level == 1 then redis.call('HSET', s, 'stormSolo', 1) end
  -- At a limit just reached by growing, a 429 is a failed probe, never lone (see AdaptiveLimiter.feedback).
  local lone = sinceOk == 1 and level <= proven and not (grown == 1 and level >= limit)
  local repeated = sinceOk == 0
  sinceOk, successes = 0, 0
  proven = math.min(proven, level - 1)
  if not lone then
    if inFlight > 1 then
      throttled, grown = 1, 0
      limit = math.max(1, math.min(limit, inFlight) - 1)
    end
    if retryAfter > 0 and (inFlight <= 1 or repeated) then
      paused = math.max(paused, now + math.min(retryAfter, cap))
    end
  end
elseif outcome == 'ok' then
  sinceOk = 1
  if stormLimit >= 0 and get('stormSolo', 0) == 1 then
    limit = math.max(limit, stormLimit)
    throttled, grown = get('stormThrottled', 0), 0
  end
  stormLimit = -1
  proven = math.max(proven, math.min(level, limit))
  if limit < max then
    successes = successes + 1
    local needed = 1
    if throttled == 1 then needed = limit * rounds end
    if successes >= needed then
      limit, grown = limit + 1, 1
      successes = 0
    end
  end
end
redis.call('HSET', s, 'limit', limit, 'throttled', throttled, 'successes', successes, 'proven', proven,
  'sinceOk', sinceOk, 'pausedUntil', paused, 'stormLimit', stormLimit, 'grown', grown)
redis.call('PEXPIRE', s, ARGV[8])
redis.call('ZREM', KEYS[2], ARGV[1])
return limit
`;
