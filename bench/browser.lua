-- wrk script: the bucket page's allocation form as htmx posts it from a browser, for 200
-- members over 10 buckets: the session and CSRF cookies, the form's masked CSRF token, the
-- htmx headers. The harness replaces the DATA line below with `sessions` ({session key, CSRF
-- cookie, form token} per member) and `buckets`. About one request in 50 asks for more
-- than any envelope holds: the fragment then says why (counted as refused).
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
   local who = sessions[math.random(#sessions)]
   local bucket = buckets[math.random(#buckets)]
   local amount
   if math.random(50) == 1 then
      amount = "500,00"
   else
      amount = tostring(math.random(20)) .. ",00"
   end
   local page = origin .. "/buckets/" .. bucket .. "/"
   return wrk.format("POST", "/buckets/" .. bucket .. "/allocate/", {
      ["Cookie"] = "sessionid=" .. who[1] .. "; csrftoken=" .. who[2],
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept"] = "*/*",
      ["Accept-Language"] = "fr-FR,fr;q=0.9",
      ["Origin"] = origin,
      ["Referer"] = page,
      ["HX-Request"] = "true",
      ["HX-Target"] = "allocation",
      ["HX-Current-URL"] = page,
   }, "csrfmiddlewaretoken=" .. who[3] .. "&amount=" .. amount)
end

function response(status, headers, body)
   if status == 200 and string.find(body, 'class="saved"', 1, true) then
      ok = ok + 1
   elseif status == 200 and string.find(body, 'role="alert"', 1, true) then
      refused = refused + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected answer " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
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
