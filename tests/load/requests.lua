-- wrk script for tests/load/run.sh: cycles through the request mix written by
-- lkwebhook_load_requests (genuine, duplicated and forged webhooks), POSTing each
-- to the path in env WEBHOOK_PATH with Content-Type application/webhook+json.
-- Every wrk thread starts at a different offset and walks the whole list, so
-- each genuine request is sent at least once when the run is long enough; the
-- per-thread counts printed by done() let run.sh check that.

local requests_file = os.getenv("REQUESTS_FILE")
local webhook_path = os.getenv("WEBHOOK_PATH") or "/webhook"
local threads = {}
local thread_count = 0

local function load_requests(path)
  local list = {}
  local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  while true do
    local kind = f:read("*l")
    if kind == nil or kind == "" then break end
    local auth = f:read("*l")
    local body = f:read("*l")
    list[#list + 1] = { kind = kind, auth = auth, body = body }
  end
  f:close()
  return list
end

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

function init(args)
  list = load_requests(requests_file)
  index = (id * 7919) % #list  -- different starting points per thread
  sent = 0
  statuses = {}
  formatted = {}
  for i, r in ipairs(list) do
    formatted[i] = wrk.format("POST", webhook_path,
      { ["Authorization"] = r.auth, ["Content-Type"] = "application/webhook+json" }, r.body)
  end
end

function request()
  index = index % #list + 1
  sent = sent + 1
  return formatted[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  local min_sent = nil
  for _, t in ipairs(threads) do
    local s = t:get("sent")
    if min_sent == nil or s < min_sent then min_sent = s end
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local list_size = #load_requests(requests_file)
  io.write(string.format("LOAD requests_per_s %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("LOAD latency_p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("LOAD latency_p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("LOAD requests %d\n", summary.requests))
  io.write(string.format("LOAD errors_connect %d read %d write %d timeout %d status %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
  io.write(string.format("LOAD list_size %d min_thread_sent %d\n", list_size, min_sent or 0))
  for code, n in pairs(total) do io.write(string.format("LOAD status %d %d\n", code, n)) end
end
