-- A mix of requests, sent in turn (round-robin) on every connection: for
-- `npm run soak`, which keeps every authentication method and every login
-- busy for minutes. BENCH_MIX holds the requests, separated by the ASCII
-- record separator (\30); each is method, path, header lines and body,
-- separated by the unit separator (\31). They come from the environment so
-- that credentials never appear on a command line. Every answer must have
-- the status BENCH_EXPECT.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local requests = {}
local next_index = 1
local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")

local function split(text, separator)
  local parts = {}
  for part in (text .. separator):gmatch("(.-)" .. separator) do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  for _, record in ipairs(split(os.getenv("BENCH_MIX") or "", "\30")) do
    local fields = split(record, "\31")
    local headers = {}
    for line in (fields[3] or ""):gmatch("[^\n]+") do
      local name, value = line:match("^([^:]+):%s*(.-)%s*$")
      if name then
        headers[name] = value
      end
    end
    local body = fields[4] ~= "" and fields[4] or nil
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
  -- Threads start at different points of the mix.
  next_index = ((thread_index or 0) % #requests) + 1
end

function request()
  local text = requests[next_index]
  next_index = next_index % #requests + 1
  return text
end

function response(status, headers, body)
  count_answer(status == expected)
end
