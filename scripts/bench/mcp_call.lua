-- wrk script: one JSON-RPC tools/call per request over keep-alive connections, or a plain GET.
-- Settings come from the environment:
--   BENCH_MODE   modern (2026-07-28 headers and _meta), legacy (stateless, no _meta) or get
--   BENCH_TOOL   tool name (default ticket_list)
--   BENCH_ARGS   the arguments object as JSON (default {"category":"all"})
--   BENCH_TOKEN  the bearer token
-- done() prints one line "BENCH_JSON {...}" with the counts and latency percentiles (µs).

local mode = os.getenv("BENCH_MODE") or "modern"
local tool = os.getenv("BENCH_TOOL") or "ticket_list"
local arguments = os.getenv("BENCH_ARGS") or '{"category":"all"}'
local token = os.getenv("BENCH_TOKEN") or ""

wrk.headers["Authorization"] = "Bearer " .. token
if mode == "get" then
  wrk.method = "GET"
  wrk.headers["Accept"] = "application/json"
else
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  local meta = ""
  if mode == "modern" then
    wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
    wrk.headers["Mcp-Method"] = "tools/call"
    wrk.headers["Mcp-Name"] = tool
    meta = ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
      .. '"io.modelcontextprotocol/clientCapabilities":{}}'
  end
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' .. tool
    .. '","arguments":' .. arguments .. meta .. '}}'
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  rpc_errors = 0
  tool_errors = 0
  sample = ""
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if sample == "" then sample = tostring(status) .. " " .. string.sub(body or "", 1, 200) end
  elseif mode ~= "get" and body then
    if string.find(body, '"isError"%s*:%s*true') then
      tool_errors = tool_errors + 1
      if sample == "" then sample = string.sub(body, 1, 200) end
    elseif string.find(body, '"error"%s*:%s*{') then
      rpc_errors = rpc_errors + 1
      if sample == "" then sample = string.sub(body, 1, 200) end
    end
  end
end

local function quote(text)
  return '"' .. string.gsub(text, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local non, rpc, tools, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    non = non + (thread:get("non2xx") or 0)
    rpc = rpc + (thread:get("rpc_errors") or 0)
    tools = tools + (thread:get("tool_errors") or 0)
    local s = thread:get("sample") or ""
    if first == "" then first = s end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,"rpc_errors":%d,"tool_errors":%d,'
      .. '"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"sample_error":%s}\n',
    summary.requests, summary.duration, summary.bytes, non, rpc, tools,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, quote(first)))
end
