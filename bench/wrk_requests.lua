-- wrk script for the monitoring benchmarks (bench/_wrk.py runs it).
--
-- Usage: wrk ... -s bench/wrk_requests.lua URL -- REQUESTS_FILE
-- REQUESTS_FILE has one request per line, five tab-separated fields:
--   METHOD  PATH  CONTENT-TYPE  X-TWILIO-SIGNATURE (or "-")  BODY (no tab or newline)
-- Each wrk thread takes its own share of the lines (line i goes to thread i mod threads), so
-- no two threads send the same request; a thread that runs out starts its share again and
-- counts it as a wrap (the harness reports it: bodies then repeat, and replays are applied once).
-- Every request is built once, in init(): request() is a table lookup, not a format call.
--
-- done() prints one line "BENCH-JSON {...}" with what wrk's own report lacks: the responses
-- by status (2xx counted apart, which is what the stored-row check compares with), the
-- requests handed to wrk, and the wraps.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = args[1]
  assert(path, "usage: wrk ... -s wrk_requests.lua URL -- REQUESTS_FILE")
  local total = tonumber(args[2] or "1")
  requests_built = {}
  local index = 0
  for line in io.lines(path) do
    if index % total == id then
      local f = split_tabs(line)
      local headers = { ["Content-Type"] = f[3] }
      if f[4] ~= "-" then
        headers["X-Twilio-Signature"] = f[4]
      end
      local body = f[5]
      if body == "" then
        body = nil
      end
      table.insert(requests_built, wrk.format(f[1], f[2], headers, body))
    end
    index = index + 1
  end
  assert(#requests_built > 0, "thread " .. id .. " has no requests in " .. path)
  next_index = 0
  sent = 0
  wraps = 0
  ok = 0
  other = 0
  statuses = {}
end

function request()
  next_index = next_index + 1
  if next_index > #requests_built then
    next_index = 1
    wraps = wraps + 1
  end
  sent = sent + 1
  return requests_built[next_index]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    other = other + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local totals = { sent = 0, ok = 0, other = 0, wraps = 0 }
  local by_status = {}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(by_status) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"sent": %d, "ok": %d, "other": %d, "wraps": %d, "other_statuses": {%s}, '
      .. '"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    totals.sent, totals.ok, totals.other, totals.wraps, table.concat(parts, ", "),
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
