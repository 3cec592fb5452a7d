-- wrk script: PUT /api/buckets/{id}/allocation/ with the tokens of 200 members over 10
-- buckets. The harness replaces the DATA line below with `tokens` and `buckets` tables.
-- About one request in 50 asks for more than any envelope holds, so that the rules are
-- seen refusing (409) under load; the others set an amount from 1 to 20 (absolute).
-- DATA

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
   ok, refused, other = 0, 0, 0
end

function request()
   local token = tokens[math.random(#tokens)]
   local bucket = buckets[math.random(#buckets)]
   local amount
   if math.random(50) == 1 then
      amount = "500.00"
   else
      amount = tostring(math.random(20)) .. ".00"
   end
   return wrk.format("PUT", "/api/buckets/" .. bucket .. "/allocation/", {
      ["Authorization"] = "Token " .. token,
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
   }, '{"amount": "' .. amount .. '"}')
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   elseif status == 409 then
      refused = refused + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
      end
   end
end

function done(summary, latency, requests)
   local t_ok, t_refused, t_other = 0, 0, 0
   for _, thread in ipairs(threads) do
      t_ok = t_ok + thread:get("ok")
      t_refused = t_refused + thread:get("refused")
      t_other = t_other + thread:get("other")
   end
   io.write(string.format("BENCH ok=%d refused=%d other=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d\n",
      t_ok, t_refused, t_other, summary.duration, latency:percentile(50), latency:percentile(99),
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
