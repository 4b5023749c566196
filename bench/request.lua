-- One fixed request, repeated: method, path (the URL), headers and body
-- come from the environment so that credentials never appear on a command
-- line. BENCH_HEADERS holds "Name: value" lines; BENCH_EXPECT the status
-- every answer should have.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.-)%s*$")
  if name then
    wrk.headers[name] = value
  end
end

local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")

function response(status, headers, body)
  count_answer(status == expected)
end
