-- wrk script of bench/serving.py: replays the request lines of the file named by
-- SERVING_REQUESTS ("host<TAB>cookie<TAB>path" per line: members and branch secretaries of
-- the bench counties, each with a signed-in session), each thread from its own offset, and
-- prints the run's figures as one JSON line that starts with "SERVING ".

local lines = {}
local next_index = 1
local thread_no = 0
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(os.getenv("SERVING_REQUESTS")) do
    local host, cookie, path = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    lines[#lines + 1] = wrk.format("GET", path, { Host = host, Cookie = cookie })
  end
  next_index = (offset * 997) % #lines + 1
end

function request()
  local req = lines[next_index]
  next_index = next_index % #lines + 1
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'SERVING {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
