import { UNHELD_TERM_SHARE } from '@fastagentic/memory/provider';

/** A Lua script and its SHA-1, which EVALSHA names it by. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  /** Lowercase hex SHA-1 of `source`, computed once with Web Crypto (edge-safe). */
  sha1(): Promise<string>;
}

function luaScript(name: string, source: string): LuaScript {
  let digest: Promise<string> | undefined;
  return {
    name,
    source,
    sha1() {
      digest ??= crypto.subtle.digest('SHA-1', new TextEncoder().encode(source)).then((buffer) =>
        Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join(''),
      );
      return digest;
    },
  };
}

// Every script gets the user's nine keys (redis-key-layout.ts), all under one hash tag, so each
// script touches one cluster slot:
//   KEYS[1] records   hash: memory id -> record JSON
//   KEYS[2] timeline  sorted set: memory id scored by sequence (microseconds, unique per user)
//   KEYS[3] postings  sorted set, all scores 0: "term \0 seq(14 hex digits) \0 tf \0 length"
//   KEYS[4] stats     hash: v = terms version of the index, c = total term count
//   KEYS[4] also holds e = the session field (as JSON) once KEYS[7] covers every memory of the user
//                     for that field (users stored earlier, or with another field, lack it)
//   KEYS[5] terms     hash: seq(14 hex digits) -> "length \0 term \1 tf \0 term \1 tf ... \2 memory id"
//   KEYS[6] idempotency hash: "k" .. key -> memory id and "i" .. memory id -> key
//   KEYS[7] sessions  sorted set, all scores 0: "session \0 seq(14 hex digits) \0 memory id" per
//                     string value of the session field in the metadata (or string in an array of
//                     them) without a NUL
//   KEYS[8] history   hash: memory id -> its versions once it has changed, one JSON array a line:
//                     ["add"|"update"|"delete", ms, reason or null, the record after it or null]
//   KEYS[9] fence     string: when the user was last forgotten (ms since the epoch)
// Numbers above 2^47 are passed to redis.call as strings: Lua would format them with %.14g.

/** Shared Lua: sequence keys, the postings of a terms entry, the sliding TTL, chunked variadic calls. */
const COMMON = `
local function seqKey(seq) return string.format('%014x', seq) end
local function each(command, key, items)
  for i = 1, #items, 1000 do
    redis.call(command, key, unpack(items, i, math.min(i + 999, #items)))
  end
end
local function postingsOf(entry, seq, out, zero)
  local length = string.match(entry, '^%d+')
  local middle, suffix = '\\0' .. seqKey(seq) .. '\\0', '\\0' .. length
  for term, tf in string.gmatch(entry, '%z([^%z\\1]+)\\1(%d+)') do
    if zero then out[#out + 1] = '0' end
    out[#out + 1] = term .. middle .. tf .. suffix
  end
  return tonumber(length)
end
local function slide(ttl)
  if ttl > 0 then
    for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
`;

/**
 * JSON as JavaScript sees it, decoded with cjson (JSON null is cjson.null, a missing field nil).
 */
const DECODE_JSON = `
-- Strings are compared as JavaScript does, by UTF-16 code units: decoded JSON holds them in
-- CESU-8 (each code unit its own 1-3 byte sequence), whose byte order and substrings are those of
-- UTF-16. A character above U+FFFF becomes its two surrogates' sequences, and a lone surrogate,
-- which JSON.stringify escapes (\\\\udXXX) and cjson refuses, becomes its own.
local function unitBytes(unit)
  return string.char(0xE0 + math.floor(unit / 4096), 0x80 + math.floor(unit / 64) % 64, 0x80 + unit % 64)
end
local function loneSurrogate(slashes, hex)
  if #slashes % 2 == 0 then return nil end
  return string.sub(slashes, 2) .. unitBytes(tonumber(hex, 16))
end
local function surrogatePair(bytes)
  local b1, b2, b3, b4 = string.byte(bytes, 1, 4)
  local point = (b1 - 0xF0) * 262144 + (b2 - 0x80) * 4096 + (b3 - 0x80) * 64 + (b4 - 0x80) - 0x10000
  return unitBytes(0xD800 + math.floor(point / 1024)) .. unitBytes(0xDC00 + point % 1024)
end
local function decodeJson(text)
  if string.find(text, '\\\\u[dD][89a-fA-F]') then text = string.gsub(text, '(\\\\+)u([dD][89a-fA-F]%x%x)', loneSurrogate) end
  if string.find(text, '[\\240-\\244]') then text = string.gsub(text, '[\\240-\\244][\\128-\\191][\\128-\\191][\\128-\\191]', surrogatePair) end
  return cjson.decode(text)
end
`;

/**
 * The members of the sessions set (KEYS[7]) for a record: one per distinct string value of the
 * session field (given as JSON, e.g. '"sessionId"') in its metadata (a string, or the strings of an
 * array, as the filter's eq sees them). Decoded the same way filters are, so a filter's value meets
 * the member its record got at add. \`sessionsCurrent\` says whether KEYS[7] is kept for that field.
 */
const SESSION_MEMBERS = `
local function sessionMembers(raw, seq, id, fieldJson)
  local members = {}
  if not string.find(raw, fieldJson, 1, true) then return members end
  local ok, record = pcall(decodeJson, raw)
  if not ok or type(record) ~= 'table' or type(record.metadata) ~= 'table' then return members end
  local value = record.metadata[decodeJson('[' .. fieldJson .. ']')[1]]
  local values = value
  if type(value) ~= 'table' then values = { value } end
  local seen = {}
  for _, session in ipairs(values) do
    if type(session) == 'string' and not string.find(session, '%z') and not seen[session] then
      seen[session] = true
      members[#members + 1] = session .. '\\0' .. seqKey(seq) .. '\\0' .. id
    end
  end
  return members
end
-- The sessions set is kept for one field; a write through another field leaves it stale (dropped,
-- so filters walk the timeline until a re-index builds it for the field in use).
local function sessionsCurrent(fieldJson)
  local indexed = redis.call('HGET', KEYS[4], 'e')
  if indexed == fieldJson then return true end
  if indexed then
    redis.call('HDEL', KEYS[4], 'e')
    redis.call('DEL', KEYS[7])
  end
  return false
end
`;

/**
 * ARGV: memory id, record JSON (an object, without "seq"), client time in microseconds, TTL in
 * ms (0: none), terms version, idempotency key ('' for none), terms entry ("length \0 term \1 tf ..."),
 * session field as JSON, when the write was promised (ms; '' for unknown).
 * Returns the id stored, or the id an earlier add with the same idempotency key stored, or '' when
 * the write was promised before the user's last forget (the fence).
 * The sequence is the client time, bumped past the user's newest so order and createdAt agree.
 * An index of another terms version is left as it is (search re-indexes it), never mixed.
 */
export const ADD_SCRIPT = luaScript(
  'add',
  `${COMMON}${DECODE_JSON}${SESSION_MEMBERS}
if ARGV[9] ~= '' then
  local forgotten = redis.call('GET', KEYS[9])
  if forgotten and tonumber(ARGV[9]) < tonumber(forgotten) then return '' end
end
if ARGV[6] ~= '' then
  local earlier = redis.call('HGET', KEYS[6], 'k' .. ARGV[6])
  if earlier then return earlier end
end
local seq = tonumber(ARGV[3])
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= seq then seq = tonumber(newest[2]) + 1 end
local score = string.format('%.0f', seq)
local current = true
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[7])
  redis.call('HSET', KEYS[4], 'v', ARGV[5], 'c', '0', 'e', ARGV[8])
else
  current = redis.call('HGET', KEYS[4], 'v') == ARGV[5]
end
redis.call('HSET', KEYS[1], ARGV[1], '{"seq":' .. score .. ',' .. string.sub(ARGV[2], 2))
redis.call('ZADD', KEYS[2], score, ARGV[1])
if current then
  local members = {}
  local length = postingsOf(ARGV[7], seq, members, true)
  if #members > 0 then each('ZADD', KEYS[3], members) end
  redis.call('HSET', KEYS[5], seqKey(seq), ARGV[7] .. '\\2' .. ARGV[1])
  redis.call('HINCRBY', KEYS[4], 'c', string.format('%d', length))
end
if sessionsCurrent(ARGV[8]) then
  for _, member in ipairs(sessionMembers(ARGV[2], seq, ARGV[1], ARGV[8])) do redis.call('ZADD', KEYS[7], 0, member) end
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[6], 'k' .. ARGV[6], ARGV[1], 'i' .. ARGV[1], ARGV[6]) end
slide(tonumber(ARGV[4]))
return ARGV[1]`,
);

/**
 * A change to the record `raw` of memory `id`: its time (client time in ms, or a millisecond
 * after the previous version's when the clock has not passed it), and its version appended to
 * KEYS[8] — after the memory's add, written at its first change from the record as it still is.
 */
const VERSIONS = `
local function changeOf(raw, now)
  local seqText, updated = string.match(raw, '^{"seq":(%d+),"updated":(%d+),')
  if not seqText then seqText, updated = string.match(raw, '^{"seq":(%d+)'), '' end
  local previous = math.floor(tonumber(seqText) / 1000)
  if updated ~= '' then previous = tonumber(updated) end
  return seqText, updated, string.format('%.0f', math.max(now, previous + 1))
end
local function appendVersion(id, raw, seqText, line)
  local versions = redis.call('HGET', KEYS[8], id)
  if not versions then versions = '["add",' .. string.format('%.0f', math.floor(tonumber(seqText) / 1000)) .. ',null,' .. raw .. ']' end
  redis.call('HSET', KEYS[8], id, versions .. '\\n' .. line)
end
`;

/**
 * ARGV: memory id, TTL in ms (0: none), session field as JSON, client time in ms. 1 when deleted,
 * 0 when the user has no such memory.
 * The last memory takes every key of the user with it but its history (kept until deleteAll).
 */
export const DELETE_SCRIPT = luaScript(
  'delete',
  `${COMMON}${DECODE_JSON}${SESSION_MEMBERS}${VERSIONS}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local seqText, _, at = changeOf(raw, tonumber(ARGV[4]))
appendVersion(ARGV[1], raw, seqText, '["delete",' .. at .. ',null,null]')
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[8], tonumber(ARGV[2])) end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  return 1
end
local seq = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
redis.call('ZREM', KEYS[2], ARGV[1])
if sessionsCurrent(ARGV[3]) then
  local sessions = sessionMembers(raw, seq, ARGV[1], ARGV[3])
  if #sessions > 0 then redis.call('ZREM', KEYS[7], unpack(sessions)) end
end
local entry = redis.call('HGET', KEYS[5], seqKey(seq))
if entry then
  local members = {}
  local length = postingsOf(entry, seq, members, false)
  if #members > 0 then each('ZREM', KEYS[3], members) end
  redis.call('HDEL', KEYS[5], seqKey(seq))
  redis.call('HINCRBY', KEYS[4], 'c', string.format('%d', -length))
end
local key = redis.call('HGET', KEYS[6], 'i' .. ARGV[1])
if key then redis.call('HDEL', KEYS[6], 'i' .. ARGV[1], 'k' .. key) end
slide(tonumber(ARGV[2]))
return 1`,
);

/**
 * ARGV: memory id, the new record (an object without "seq" and "updated"), client time in ms,
 * TTL in ms (0: none), terms version, the new terms entry ('' when the text is unchanged), session
 * field as JSON, the update time the caller read ('' for none: it checks the record is unchanged
 * since), the reason as JSON ('null' for none).
 * Returns {0} when the user has no such memory, {2} when it changed since it was read (the
 * caller reads it again), else {1, the record stored}. The record keeps its sequence, so its place
 * and createdAt; its postings, terms entry and sessions members move to the new text and metadata.
 * An index of another terms version is left as it is (search re-indexes it from the records).
 */
export const UPDATE_SCRIPT = luaScript(
  'update',
  `${COMMON}${DECODE_JSON}${SESSION_MEMBERS}${VERSIONS}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {0} end
local seqText, updated, at = changeOf(raw, tonumber(ARGV[3]))
if updated ~= ARGV[8] then return {2} end
local seq = tonumber(seqText)
local record = '{"seq":' .. seqText .. ',"updated":' .. at .. ',' .. string.sub(ARGV[2], 2)
appendVersion(ARGV[1], raw, seqText, '["update",' .. at .. ',' .. ARGV[9] .. ',' .. record .. ']')
redis.call('HSET', KEYS[1], ARGV[1], record)
if sessionsCurrent(ARGV[7]) then
  local old = sessionMembers(raw, seq, ARGV[1], ARGV[7])
  if #old > 0 then redis.call('ZREM', KEYS[7], unpack(old)) end
  for _, member in ipairs(sessionMembers(record, seq, ARGV[1], ARGV[7])) do redis.call('ZADD', KEYS[7], 0, member) end
end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[4], 'v') == ARGV[5] then
  local entry = redis.call('HGET', KEYS[5], seqKey(seq))
  if entry then
    local removed = {}
    local length = postingsOf(entry, seq, removed, false)
    if #removed > 0 then each('ZREM', KEYS[3], removed) end
    redis.call('HINCRBY', KEYS[4], 'c', string.format('%d', -length))
  end
  local members = {}
  local length = postingsOf(ARGV[6], seq, members, true)
  if #members > 0 then each('ZADD', KEYS[3], members) end
  redis.call('HSET', KEYS[5], seqKey(seq), ARGV[6] .. '\\2' .. ARGV[1])
  redis.call('HINCRBY', KEYS[4], 'c', string.format('%d', length))
end
slide(tonumber(ARGV[4]))
return {1, record}`,
);

/** ARGV: memory id. {'h', versions} once it has changed, {'r', record} before, {} when the user never had it. */
export const HISTORY_SCRIPT = luaScript(
  'history',
  `local versions = redis.call('HGET', KEYS[8], ARGV[1])
if versions then return {'h', versions} end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then return {'r', raw} end
return {}`,
);

/**
 * ARGV: the time of the forget (ms), TTL in ms (0: none). How many memories the user had; every
 * memory key (history too) is gone afterwards, whatever its size, and the fence (KEYS[9]) holds
 * the latest forget time, kept as long as a memory would be (TTL) or for good.
 */
export const DELETE_ALL_SCRIPT = luaScript(
  'deleteAll',
  `local count = redis.call('HLEN', KEYS[1])
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
local forgotten = tonumber(redis.call('GET', KEYS[9]) or '0')
if tonumber(ARGV[1]) > forgotten then redis.call('SET', KEYS[9], ARGV[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[9], tonumber(ARGV[2])) end
return count`,
);

/** ARGV: highest sequence to include ('+inf', or '(' and a sequence to exclude it), count. Records newest first. */
export const PAGE_SCRIPT = luaScript(
  'page',
  `local ids = redis.call('ZREVRANGEBYSCORE', KEYS[2], ARGV[1], '-inf', 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))`,
);

/**
 * The core's matchesFilter in Lua (after DECODE_JSON), over a record decoded with decodeJson (JSON null is cjson.null, a
 * missing field nil). Strings compare and match by UTF-16 code units, as JavaScript does, not by
 * the server's locale; arrays and objects are told apart as JSON.parse would (an empty one is
 * either, and both behave alike in every operator).
 */
const MATCHES_FILTER = `
-- Byte order (Lua's < follows the server's locale).
local function bytesLess(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function isArray(value) return value[1] ~= nil or next(value) == nil end
local function equals(actual, value)
  if type(actual) == 'table' then
    if not isArray(actual) then return false end
    for _, item in ipairs(actual) do if item == value then return true end end
    return false
  end
  return actual == value
end
local function compare(actual, operator, value)
  local kind = type(actual)
  if kind ~= type(value) or (kind ~= 'number' and kind ~= 'string') then return false end
  local less, greater
  if kind == 'number' then less, greater = actual < value, actual > value
  else less, greater = bytesLess(actual, value), bytesLess(value, actual) end
  if operator == 'gt' then return greater end
  if operator == 'gte' then return not less end
  if operator == 'lt' then return less end
  return not greater
end
-- An in/nin list as a set of its values (compileFilter): a lookup per value, whatever the list's
-- length. Lua's == on the list's primitives is what a table key tells apart (1 and 1.0 are one key).
local function inSet(actual, set)
  if type(actual) ~= 'table' then return actual ~= nil and set[actual] == true end
  if not isArray(actual) then return false end
  for _, item in ipairs(actual) do if set[item] then return true end end
  return false
end
local function holds(actual, operator, value, set)
  if operator == 'eq' then return equals(actual, value) end
  if operator == 'ne' then return not equals(actual, value) end
  if operator == 'in' or operator == 'nin' then return inSet(actual, set) == (operator == 'in') end
  if operator == 'contains' then
    if type(actual) == 'string' then return type(value) == 'string' and string.find(actual, value, 1, true) ~= nil end
    return type(actual) == 'table' and equals(actual, value)
  end
  if type(actual) == 'table' then
    if not isArray(actual) then return false end
    for _, item in ipairs(actual) do if compare(item, operator, value) then return true end end
    return false
  end
  return compare(actual, operator, value)
end
-- What a filter's work budget counts: conditions evaluated, and records decoded (one unit per 64
-- bytes of JSON, about what a condition costs).
local filterWork = 0
local function compileFilter(node)
  if node.kind == 'and' or node.kind == 'or' then
    for _, child in ipairs(node.children) do compileFilter(child) end
  elseif node.kind == 'not' then compileFilter(node.child)
  elseif node.operator == 'in' or node.operator == 'nin' then
    node.set = {}
    for _, candidate in ipairs(node.value) do node.set[candidate] = true end
  end
  return node
end
local function matches(record, node)
  filterWork = filterWork + 1
  if node.kind == 'and' then
    for _, child in ipairs(node.children) do if not matches(record, child) then return false end end
    return true
  end
  if node.kind == 'or' then
    for _, child in ipairs(node.children) do if matches(record, child) then return true end end
    return false
  end
  if node.kind == 'not' then return not matches(record, node.child) end
  local actual
  if node.field == 'categories' then actual = record.categories or {}
  else actual = record.metadata[node.field] end
  return holds(actual, node.operator, node.value, node.set)
end
local function passes(raw, node)
  filterWork = filterWork + 1 + math.floor(#raw / 64)
  return matches(decodeJson(raw), node)
end
`;

/**
 * ARGV: highest sequence to include ('+inf' or '(' and a sequence), how many matches to return
 * at most, filter (the core's parsed FilterNode as JSON), how many records to examine at most, the
 * session field as JSON, how many filter conditions to evaluate at most (a large filter examines
 * fewer records). Returns {last sequence examined ('' when nothing is left), record...}, newest first.
 *
 * A filter that requires one value of the session field (the condition itself, or one child of an AND) walks that
 * session's members of the sessions set, so its cost follows the session, not the user; any other
 * filter walks the user's timeline. Either way from the cursor, in batches that start at the
 * number wanted and double, so a filter most records pass reads few more than it returns.
 */
export const FILTERED_PAGE_SCRIPT = luaScript(
  'filteredPage',
  `${COMMON}${DECODE_JSON}${MATCHES_FILTER}
local filter = compileFilter(decodeJson(ARGV[3]))
local wanted, budget, workBudget = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[6])
local sessionField = decodeJson('[' .. ARGV[5] .. ']')[1]
local function requiredSession(node)
  if node.kind == 'condition' and node.field == sessionField and node.operator == 'eq' and type(node.value) == 'string' then
    return node.value
  end
end
local session, rest = requiredSession(filter), nil
if not session then
  rest = filter
  if filter.kind == 'and' then
    for _, child in ipairs(filter.children) do
      session = requiredSession(child)
      if session then break end
    end
  end
end
if session and (string.find(session, '%z') or redis.call('HGET', KEYS[4], 'e') ~= ARGV[5]) then
  session, rest = nil, filter
end

-- Each batch: ids newest first below the cursor, and the position of each in the walk (turned
-- into the sequence only for the cursor returned).
local nextBatch, sequenceOf
if session then
  local low, high = '[' .. session .. '\\0', '(' .. session .. '\\1'
  if ARGV[1] ~= '+inf' then high = '(' .. session .. '\\0' .. seqKey(tonumber(string.sub(ARGV[1], 2))) end
  local from = #session + 1
  nextBatch = function(size)
    local members = redis.call('ZREVRANGEBYLEX', KEYS[7], high, low, 'LIMIT', 0, size)
    local ids = {}
    for i, member in ipairs(members) do ids[i] = string.sub(member, from + 16) end
    if #members > 0 then high = '(' .. string.sub(members[#members], 1, from + 14) end
    return ids, members
  end
  sequenceOf = function(member) return string.format('%.0f', tonumber(string.sub(member, from + 1, from + 14), 16)) end
else
  local max = ARGV[1]
  nextBatch = function(size)
    local batch = redis.call('ZREVRANGEBYSCORE', KEYS[2], max, '-inf', 'WITHSCORES', 'LIMIT', 0, size)
    local ids, seqs = {}, {}
    for i = 1, #batch, 2 do
      ids[#ids + 1], seqs[#seqs + 1] = batch[i], batch[i + 1]
    end
    if #seqs > 0 then max = '(' .. seqs[#seqs] end
    return ids, seqs
  end
  sequenceOf = function(seq) return seq end
end

local out = {''}
local examined, size, last = 0, wanted, nil
while #out - 1 < wanted and examined < budget and filterWork < workBudget do
  local ids, positions = nextBatch(math.min(size, 1000, budget - examined))
  if #ids == 0 then return out end
  size = size * 2
  local records = redis.call('HMGET', KEYS[1], unpack(ids))
  for i = 1, #ids do
    local raw = records[i]
    examined = examined + 1
    last = positions[i]
    if raw and (rest == nil or passes(raw, rest)) then
      out[#out + 1] = raw
      if #out - 1 == wanted then break end
    end
    if filterWork >= workBudget then break end
  end
end
out[1] = sequenceOf(last)
return out`,
);

/** Query terms present in the index that a search scores at its full candidate cap. */
export const TERMS_AT_FULL_CAP = 32;
/** Largest limit ranked by insertion into the kept list; larger ones sort every candidate once. */
const INSERTION_LIMIT = 100;

/**
 * ARGV: terms version, K1, B, limit, minRelevance, candidate cap, filter JSON ('' for none), filter
 * work budget (conditions evaluated), filter time budget (ms), then the query's distinct terms.
 * Returns {'stale'} when the index has another terms version (the caller re-indexes), {'budget',
 * what ran out} when the filter used up a budget before `limit` results passed it, else {'ok',
 * record, score, record, score, ...} best first.
 *
 * The script's work is bounded whatever the user holds: candidates × the query's terms present in
 * the index stay within cap × TERMS_AT_FULL_CAP (a query with more such terms scores fewer
 * candidates), and the filter stops at its budgets (Redis TIME, read every 32 records).
 *
 * Postings are read rarest term first while their total stays within the cap; the term that
 * would overflow it contributes its newest postings up to the cap, and terms not read in full
 * only complete the term frequencies of the candidates found (from the terms hash). Document frequencies come from
 * ZLEXCOUNT, so every candidate's score is exact; under the cap the candidates are exact too.
 * Scoring mirrors the core's scoreTerms step by step (same operations in the same order).
 */
export const SEARCH_SCRIPT = luaScript(
  'search',
  `${DECODE_JSON}${MATCHES_FILTER}
local match, floor, min, log = string.match, math.floor, math.min, math.log
local count = redis.call('HLEN', KEYS[1])
if count == 0 then return {'ok'} end
if redis.call('HGET', KEYS[4], 'v') ~= ARGV[1] then return {'stale'} end
local K1, B = tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, minRelevance, budget = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local filter = nil
if ARGV[7] ~= '' then filter = compileFilter(decodeJson(ARGV[7])) end
local filterBudget, filterMs = tonumber(ARGV[8]), tonumber(ARGV[9])
local terms, df, order, present = {}, {}, {}, {}
for i = 10, #ARGV do
  local term = ARGV[i]
  terms[#terms + 1] = term
  df[#terms] = redis.call('ZLEXCOUNT', KEYS[3], '[' .. term .. '\\0', '(' .. term .. '\\1')
  order[#terms] = #terms
  if df[#terms] > 0 then present[#present + 1] = #terms end
end
table.sort(order, function(a, b) return df[a] < df[b] or (df[a] == df[b] and a < b) end)
-- Scoring costs candidates × terms present: past TERMS_AT_FULL_CAP such terms, fewer candidates.
if #present > ${TERMS_AT_FULL_CAP} then budget = math.max(1, floor(budget * ${TERMS_AT_FULL_CAP} / #present)) end

-- Candidates by posting key (the memory's sequence, 14 hex digits): length, and per term its tf.
local lengthOf, keys, tfOf, complete = {}, {}, {}, {}
for i = 1, #terms do tfOf[i] = {} end
local function take(i, members)
  local from, tfs = #terms[i] + 2, tfOf[i]
  for j = 1, #members do
    local key, tf, length = match(members[j], '^(%x+)%z(%d+)%z(%d+)$', from)
    if not lengthOf[key] then
      lengthOf[key] = tonumber(length)
      keys[#keys + 1] = key
    end
    tfs[key] = tonumber(tf)
  end
end
for _, i in ipairs(order) do
  local low, high = '[' .. terms[i] .. '\\0', '(' .. terms[i] .. '\\1'
  if df[i] <= budget then
    take(i, redis.call('ZRANGEBYLEX', KEYS[3], low, high))
    budget = budget - df[i]
    complete[i] = true
  elseif budget > 0 then
    take(i, redis.call('ZREVRANGEBYLEX', KEYS[3], high, low, 'LIMIT', 0, budget))
    budget = 0
  end
end
-- Terms not read in full only complete the term frequencies of the candidates found, from
-- their terms entries (one HMGET for all of them): NUL, the term, 0x01 occurs in an entry only there.
local partial = {}
for i = 1, #terms do if not complete[i] then partial[#partial + 1] = i end end
if #partial > 0 then
  local missing = {}
  for _, key in ipairs(keys) do
    for _, i in ipairs(partial) do
      if not tfOf[i][key] then
        missing[#missing + 1] = key
        break
      end
    end
  end
  local needles = {}
  for _, i in ipairs(partial) do needles[i] = '\\0' .. terms[i] .. '\\1' end
  for first = 1, #missing, 1000 do
    local chunk = { unpack(missing, first, min(first + 999, #missing)) }
    local entries = redis.call('HMGET', KEYS[5], unpack(chunk))
    for j, entry in ipairs(entries) do
      if entry then
        local key = chunk[j]
        for _, i in ipairs(partial) do
          if not tfOf[i][key] then
            local _, stop = string.find(entry, needles[i], 1, true)
            if stop then tfOf[i][key] = tonumber(match(entry, '^%d+', stop + 1)) end
          end
        end
      end
    end
  end
end

-- scoreTerms, as the core computes it.
local averageLength = (tonumber(redis.call('HGET', KEYS[4], 'c')) or 0) / count
if averageLength == 0 then averageLength = 1 end
local perfectNorm = K1 * (1 - B + (B * #terms) / averageLength)
local weights, perfect = {}, 0
for i = 1, #terms do
  local weight = log(1 + (count - df[i] + 0.5) / (df[i] + 0.5))
  weights[i] = weight
  -- A term no memory holds weighs UNHELD_TERM_SHARE of its rarity, as in prepareQuery.
  local share = weight
  if df[i] == 0 then share = weight * ${UNHELD_TERM_SHARE} end
  perfect = perfect + (share * (K1 + 1)) / (1 + perfectNorm)
end

-- compareRanked: score, then newer createdAt (milliseconds of the sequence), then id. Entries are
-- ordered by score and milliseconds here; ids are read only for entries tied on both.
local function msOf(entry)
  local ms = entry.ms
  if not ms then
    ms = floor(tonumber(entry.key, 16) / 1000)
    entry.ms = ms
  end
  return ms
end
local function before(a, b)
  if a.score ~= b.score then return a.score > b.score end
  return msOf(a) > msOf(b)
end
-- Without a filter and with a small limit only the best \`limit\` (and whatever ties with the last
-- of them) are kept, newest first: with many ties most candidates are then rejected by one
-- comparison. Otherwise all are kept and sorted once (inserting into a long list costs its length).
local sortAll = filter ~= nil or limit > ${INSERTION_LIMIT}
local kept = {}
for k = #keys, 1, -1 do
  local key = keys[k]
  local score = 0
  if perfect > 0 then
    local norm = K1 * (1 - B + (B * lengthOf[key]) / averageLength)
    for _, i in ipairs(present) do
      local tf = tfOf[i][key]
      if tf and tf > 0 then score = score + (weights[i] * tf * (K1 + 1)) / (tf + norm) end
    end
    -- As the core's roundScore: Math.round(x * 1e9) / 1e9.
    score = min(1, score / perfect) * 1e9
    local whole = floor(score)
    if score - whole >= 0.5 then whole = whole + 1 end
    score = whole / 1e9
  end
  if not (score < minRelevance or (minRelevance > 0 and score == 0)) then
    if sortAll then
      kept[#kept + 1] = { key = key, score = score, ms = floor(tonumber(key, 16) / 1000) }
    elseif #kept < limit or score >= kept[limit].score then
      local entry = { key = key, score = score }
      if #kept < limit or not before(kept[limit], entry) then
        local at = #kept + 1
        while at > 1 and before(entry, kept[at - 1]) do
          kept[at] = kept[at - 1]
          at = at - 1
        end
        kept[at] = entry
        while #kept > limit and before(kept[limit], kept[#kept]) do kept[#kept] = nil end
      end
    end
  end
end
if sortAll then
  -- Every entry has its milliseconds already: one comparison without calls per step.
  table.sort(kept, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.ms > b.ms
  end)
  if not filter then
    while #kept > limit and before(kept[limit], kept[#kept]) do kept[#kept] = nil end
  end
end

-- Ids come from the terms entries (one HMGET per window of results); entries written before
-- they carried the id are looked up on the timeline.
local function fillIds(from, to)
  local seqKeys = {}
  for i = from, to do seqKeys[#seqKeys + 1] = kept[i].key end
  local entries = redis.call('HMGET', KEYS[5], unpack(seqKeys))
  for i = from, to do
    local entry = kept[i]
    entry.id = entries[i - from + 1] and match(entries[i - from + 1], '\\2(.*)$')
    if not entry.id then
      local seq = string.format('%.0f', tonumber(entry.key, 16))
      entry.id = redis.call('ZRANGEBYSCORE', KEYS[2], seq, seq, 'LIMIT', 0, 1)[1]
    end
  end
end
local out, found = {'ok'}, 0
-- With a filter, windows start small and double: a filter that rejects most candidates stops at
-- its budget having fetched little more than it examined.
local first, size = 1, limit
if filter then size = math.min(limit, 100) end
local function now()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end
local filterDeadline = filter and now() + filterMs
local examined = 0
while first <= #kept and found < limit do
  -- A window of whole tie groups, without a filter at least as many entries as results still
  -- wanted (with one, doubling while it keeps rejecting): its ids in one HMGET, ties ordered by id,
  -- records in one HMGET.
  local stop = math.min(#kept, first + math.min(filter and size or math.max(size, limit - found), 1000) - 1)
  while stop < #kept and not before(kept[stop], kept[stop + 1]) do stop = stop + 1 end
  size = size * 2
  fillIds(first, stop)
  local window = {}
  local groupStart = first
  for i = first, stop do
    window[#window + 1] = kept[i]
    if i == stop or before(kept[i], kept[i + 1]) then
      if i > groupStart then
        local at = #window - (i - groupStart)
        local group = { unpack(window, at, #window) }
        table.sort(group, function(a, b) return bytesLess(a.id, b.id) end)
        for j, entry in ipairs(group) do window[at + j - 1] = entry end
      end
      groupStart = i + 1
    end
  end
  local ids = {}
  for i, entry in ipairs(window) do ids[i] = entry.id or '' end
  local records = redis.call('HMGET', KEYS[1], unpack(ids))
  for i, entry in ipairs(window) do
    local raw = records[i]
    if found < limit and raw and (filter == nil or passes(raw, filter)) then
      out[#out + 1] = raw
      out[#out + 1] = string.format('%.17g', entry.score)
      found = found + 1
    end
    if filter and found < limit then
      examined = examined + 1
      if filterWork > filterBudget then return {'budget', 'filter work'} end
      if examined % 32 == 0 and now() > filterDeadline then return {'budget', 'filter time'} end
    end
  end
  first = stop + 1
end
return out`,
);

/**
 * Rebuilds the index from terms computed by the caller. ARGV: terms version, the user's memory
 * count when the caller read the records, the session field as JSON, then pairs of memory id and
 * terms entry. Returns 0 (and
 * changes nothing) when the user's memories changed since; the caller reads them again.
 */
export const REINDEX_SCRIPT = luaScript(
  'reindex',
  `${COMMON}${DECODE_JSON}${SESSION_MEMBERS}
if redis.call('HLEN', KEYS[1]) ~= tonumber(ARGV[2]) then return 0 end
for i = 4, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then return 0 end
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[7])
if tonumber(ARGV[2]) == 0 then return 1 end
local total = 0
local members, entries, sessions = {}, {}, {}
for i = 4, #ARGV, 2 do
  local seq = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[i]))
  total = total + postingsOf(ARGV[i + 1], seq, members, true)
  entries[#entries + 1] = seqKey(seq)
  entries[#entries + 1] = ARGV[i + 1] .. '\\2' .. ARGV[i]
  for _, member in ipairs(sessionMembers(redis.call('HGET', KEYS[1], ARGV[i]), seq, ARGV[i], ARGV[3])) do
    sessions[#sessions + 1] = '0'
    sessions[#sessions + 1] = member
  end
  if #members >= 2000 then each('ZADD', KEYS[3], members) members = {} end
  if #sessions >= 2000 then each('ZADD', KEYS[7], sessions) sessions = {} end
end
if #members > 0 then each('ZADD', KEYS[3], members) end
if #sessions > 0 then each('ZADD', KEYS[7], sessions) end
each('HSET', KEYS[5], entries)
redis.call('HSET', KEYS[4], 'v', ARGV[1], 'c', string.format('%d', total), 'e', ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then slide(ttl) end
return 1`,
);
