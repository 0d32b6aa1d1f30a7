-- wrk script: GET the URL's path on keep-alive connections; the same JSON summary line.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
request = function()
  return wrk.format("GET", nil, {["Connection"] = "keep-alive"})
end

done = require("summary").done
