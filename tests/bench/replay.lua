-- replay.lua -- wrk script: replays a pool of pre-signed HTTP requests.
--
--   wrk -t T -c C -d D -s replay.lua http://127.0.0.1:PORT -- POOL_FILE T [OFFSET]
--
-- POOL_FILE holds complete HTTP/1.1 requests (pre-signed SigV4, keep-alive),
-- each preceded by its length in bytes on a line of its own. Thread i of T
-- sends requests OFFSET+i, OFFSET+i+T, ... and wraps around, so two threads never send
-- the same request at the same moment. Every response whose status is not 200
-- is counted; done() prints one JSON line, prefixed "BENCH ", with the counts
-- and the latency percentiles (microseconds) for the driver (bench.py).

local threads = {}
local nthreads = 0

function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end

function init(args)
   local f = assert(io.open(args[1], "rb"))
   local data = f:read("*a")
   f:close()
   pool = {}
   local pos, n = 1, 0
   while pos <= #data do
      local nl = string.find(data, "\n", pos, true)
      local len = tonumber(string.sub(data, pos, nl - 1))
      n = n + 1
      pool[n] = string.sub(data, nl + 1, nl + len)
      pos = nl + len + 1
   end
   data = nil
   npool = n
   step = tonumber(args[2] or "1")   -- number of threads
   idx = (tonumber(args[3] or "0") + tid) % npool
   non200 = 0
   sample = ""
end

function request()
   local r = pool[idx + 1]
   idx = (idx + step) % npool
   return r
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      if sample == "" then
         sample = tostring(status) .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

function done(summary, latency, requests)
   local bad, sample_out = 0, ""
   for _, t in ipairs(threads) do
      bad = bad + t:get("non200")
      local s = t:get("sample")
      if sample_out == "" and s ~= nil and s ~= "" then sample_out = s end
   end
   sample_out = string.gsub(sample_out, '[%c"\\]', " ")
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"non200":%d,"connect_errors":%d,' ..
      '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
      '"p99_us":%d,"mean_us":%.1f,"max_us":%d,"sample":"%s"}\n',
      summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.mean, latency.max, sample_out))
end
