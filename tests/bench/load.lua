-- load.lua -- wrk script: bulk-loads items through BatchWriteItem (25 items a
-- request), for the 1M-item cost curve. Used against servers in open mode
-- only: the request bodies are generated here, so the pre-signed header
-- (HEADER_FILE, from bench.py) keeps a well-formed signature whose body hash
-- no longer matches, which open mode does not check.
--
--   wrk -t T -c C -d MAX -s load.lua URL -- HEADER_FILE FILLER_FILE TABLE FIRST COUNT T DONE_PREFIX
--
-- Items FIRST .. FIRST+COUNT-1 are cut into batches of 25; thread i of T sends
-- batches i, i+T, ...; once all its batches are answered it writes
-- DONE_PREFIX.<i> and stops. Connections that ask for a request after the
-- thread's batches are all sent get FILLER (a pre-signed ListTables, Limit 1).
-- Item i: pk "c#%08d" (i // 100), sk i % 100, and ~200 bytes in all (the same
-- shape as bench.py's curve_item()).

local nthreads = 0
local threads = {}

function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end

local function slurp(path)
   local f = assert(io.open(path, "rb"))
   local s = f:read("*a")
   f:close()
   return s
end

function init(args)
   header = slurp(args[1])
   filler = slurp(args[2])
   tbl = args[3]
   first = tonumber(args[4])
   count = tonumber(args[5])
   step = tonumber(args[6])
   donefile = args[7] .. "." .. tid
   nbatches = math.ceil(count / 25)
   nextb = tid
   mine = 0
   for b = tid, nbatches - 1, step do mine = mine + 1 end
   answered = 0
   non200 = 0
   unprocessed = 0
   sample = ""
   finished = false
   verify_call = (tid == 0)
   if mine == 0 then
      local f = io.open(donefile, "w"); f:write("0\n"); f:close()
   end
end

-- 120 characters that differ from item to item (an LCG in hex), so that
-- neither server's storage gets to compress a repeated filler away
local function pad_for(i)
   local x, t = i % 4294967296, {}
   for k = 1, 15 do
      x = (x * 69069 + 1) % 4294967296
      t[k] = string.format("%08x", x)
   end
   return table.concat(t)
end

local function item(i)
   return string.format(
      '{"PutRequest":{"Item":{"pk":{"S":"c#%08d"},"sk":{"N":"%d"},' ..
      '"name":{"S":"user-%d"},"email":{"S":"user%d@example.com"},' ..
      '"n":{"N":"%d"},"pad":{"S":"%s"}}}}',
      math.floor(i / 100), i % 100, i, i, i, pad_for(i))
end

function request()
   -- wrk calls thread 0's request() once before the run to check the request
   -- (script_verify_request) and never sends that one: give it the filler
   if verify_call then verify_call = false; return filler end
   if nextb >= nbatches then return filler end
   local lo = first + nextb * 25
   local hi = math.min(lo + 25, first + count) - 1
   nextb = nextb + step
   local parts = {}
   for i = lo, hi do parts[#parts + 1] = item(i) end
   local body = '{"RequestItems":{"' .. tbl .. '":[' .. table.concat(parts, ",") .. ']}}'
   return header .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
   body = body or ""
   if string.find(body, "TableNames", 1, true) then
      return                               -- a filler's answer
   end
   if status ~= 200 then
      non200 = non200 + 1
      if sample == "" then sample = tostring(status) .. " " .. string.sub(body, 1, 300) end
   elseif not string.find(body, '"UnprocessedItems":{}', 1, true) then
      unprocessed = unprocessed + 1
      if sample == "" then sample = string.sub(body, 1, 300) end
   end
   answered = answered + 1
   if answered >= mine and not finished then
      finished = true
      local f = io.open(donefile, "w"); f:write(answered, "\n"); f:close()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local bad, unp, ans, smp = 0, 0, 0, ""
   for _, t in ipairs(threads) do
      local s = t:get("sample")
      if smp == "" and s ~= nil then smp = s end
      bad = bad + t:get("non200")
      unp = unp + t:get("unprocessed")
      ans = ans + t:get("answered")
   end
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"non200":%d,"unprocessed":%d,"batches":%d,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"sample":"%s"}\n',
      summary.requests, summary.duration, bad, unp, ans, summary.errors.connect,
      summary.errors.read, summary.errors.write, summary.errors.timeout,
      (string.gsub(smp, '[%c"\\]', " "))))
end
