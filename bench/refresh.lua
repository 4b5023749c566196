-- POST /api/token/refresh/ with rotation: every request presents a refresh
-- token that has never been used, so each one takes the real rotation path
-- (one conditional D1 update, two signatures), never the reuse-grace path.
--
-- BENCH_REFRESH_TOKENS holds one refresh token per connection, plus one
-- (separate logins, comma-separated): wrk calls request() once per thread
-- before it sends anything, and that call's token is never presented. A
-- connection takes a token from the pool, and the answer's new refresh
-- token goes back into it, so no token is presented twice.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pool = {}
local path = wrk.path

function init(args)
  local index = thread_index or 0
  local count = tonumber(os.getenv("BENCH_THREADS") or "1")
  local i = 0
  for token in (os.getenv("BENCH_REFRESH_TOKENS") or ""):gmatch("[^,]+") do
    -- With several threads each takes its own share of the tokens.
    if i % count == index then
      table.insert(pool, token)
    end
    i = i + 1
  end
end

function request()
  -- An empty pool means an earlier refresh failed; that request is sent
  -- with a bad token and counted as unexpected.
  local token = table.remove(pool) or "exhausted"
  local headers = { ["Content-Type"] = "application/json" }
  return wrk.format("POST", path, headers, '{"refresh":"' .. token .. '"}')
end

function response(status, headers, body)
  local token = status == 200 and body:match('"refresh"%s*:%s*"([^"]+)"')
  if token then
    table.insert(pool, token)
  end
  count_answer(token and true or false)
end
