-- SPDX-License-Identifier: Apache-2.0
--
-- ingest.lua: wrk script for tests/bench/ingest.sh.  POSTs a write_http JSON
-- batch (the file $BATCH, made by gen_batch.py template) to momd's
-- /v1/metrics with the bearer token in $TOKEN_FILE.  Every request carries a
-- fresh collectd time (start time + 1 ms per request), so each batch is a
-- new sample for its guests, as in production; the template is split once
-- at the @T@ placeholders and joined per request.
local parts = {}
local n = 0
local t0 = os.time()

local f = assert(io.open(os.getenv("BATCH"), "rb"))
local template = f:read("*a")
f:close()
local tf = assert(io.open(os.getenv("TOKEN_FILE"), "rb"))
local token = tf:read("*l")
tf:close()

local pos = 1
while true do
  local s, e = string.find(template, "@T@", pos, true)
  if not s then
    parts[#parts + 1] = string.sub(template, pos)
    break
  end
  parts[#parts + 1] = string.sub(template, pos, s - 1)
  pos = e + 1
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  n = n + 1
  local t = string.format("%.3f", t0 + n / 1000)
  return wrk.format(nil, "/v1/metrics", nil, table.concat(parts, t))
end
