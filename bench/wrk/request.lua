-- One fixed request for wrk, described on the command line after `--`:
--   wrk ... -s request.lua URL -- METHOD BODY_FILE|- ["Name: value" ...]
-- The request is built once per thread (wrk's static fast path: no Lua per request).
-- `done` prints one machine-readable line that `cargo xtask bench` parses.

function init(args)
  wrk.method = args[1] or "GET"
  local body_file = args[2]
  if body_file and body_file ~= "-" then
    local f = assert(io.open(body_file, "rb"))
    wrk.body = f:read("*a")
    f:close()
  end
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    if name then
      wrk.headers[name] = value
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,'
      .. '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
