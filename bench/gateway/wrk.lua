-- wrk script of bench/gateway.sh: GET of the URL's path with a Cookie header, round-robin
-- over BENCH_COOKIES (space-separated cookie values, one session each), every request
-- formatted once at start so the script costs nothing per request; done() prints one
-- line "result {json}" with the figures bench/gateway.sh tabulates (latency in µs).
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "%S+") do
  cookies[#cookies + 1] = c
end
local requests = {}
local next_one = 0

function init(args)
  for i, c in ipairs(cookies) do
    requests[i] = wrk.format("GET", nil, { ["Cookie"] = "dw_session=" .. c })
  end
  if #requests == 0 then
    requests[1] = wrk.format("GET", nil, nil)
  end
  -- Threads start at different cookies.
  next_one = math.random(#requests) - 1
end

function request()
  next_one = next_one % #requests + 1
  return requests[next_one]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'result {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
