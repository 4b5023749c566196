-- Shared by request.lua and refresh.lua (loaded with dofile): counts
-- answers with an unexpected status, stops a thread after
-- BENCH_MAX_REQUESTS answers (a safety bound; the harness flags a capped
-- run, whose requests/s would be understated), and prints one line of JSON
-- for bench/wrk.ts.

local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "") or 200000
local threads = {}

seen = 0
unexpected = 0
capped = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- Call from response(): counts one answer; `ok` says whether it was the expected one.
function count_answer(ok)
  seen = seen + 1
  if not ok then
    unexpected = unexpected + 1
  end
  if seen >= max_requests and capped == 0 then
    capped = 1
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_unexpected, total_capped = 0, 0
  for _, thread in ipairs(threads) do
    total_unexpected = total_unexpected + (thread:get("unexpected") or 0)
    total_capped = total_capped + (thread:get("capped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},' ..
    '"unexpected":%d,"capped":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    total_unexpected, total_capped))
end
