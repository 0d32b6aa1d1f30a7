-- wrk script: POST distinct, valid orders, each with its own Idempotency-Key, on keep-alive
-- connections. At the end prints one JSON line (prefixed "WRK_JSON ") for scripts/bench.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run_id = args[1] or tostring(os.time())
end

request = function()
  counter = counter + 1
  local key = run_id .. "-" .. thread_id .. "-" .. counter
  local body = '{"customerId":"bench-' .. thread_id .. '-' .. (counter % 1000) ..
      '","currency":"USD","items":[{"sku":"SKU-' .. (counter % 50) ..
      '","quantity":1,"unitPrice":"0.01"}]}'
  return wrk.format("POST", "/orders", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
    ["Connection"] = "keep-alive",
  }, body)
end

done = require("summary").done
