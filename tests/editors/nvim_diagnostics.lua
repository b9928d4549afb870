-- Headless Neovim as an LSP client of aks-backup-lint (tests/test_lsp_nvim.py).
-- Attaches the server to the current buffer, waits for the diagnostics of that buffer and writes
-- them to $AKSB_OUT, one line each: CODE LINE:COL-ENDLINE:ENDCOL SEVERITY HREF | MESSAGE
-- (1-based positions, LSP severity numbers), sorted. "TIMEOUT" when none arrived in time.
local out = os.getenv("AKSB_OUT")
local cmd = vim.split(os.getenv("AKSB_LSP_CMD"), "\t")
local root = os.getenv("AKSB_ROOT")
local bufnr = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(bufnr)
local received = nil

local config = {
  name = "aks-backup-lint",
  cmd = cmd,
  root_dir = root,
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, cfg)
      vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, cfg)
      if result.uri == uri then
        received = result
      end
    end,
  },
}

local client_id
if vim.lsp.start then -- Neovim 0.8 and later
  client_id = vim.lsp.start(config)
else -- Neovim 0.7 (Debian 12)
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(bufnr, client_id)
end

local ok = vim.wait(90000, function() return received ~= nil end, 50)
local lines = {}
if ok then
  for _, d in ipairs(received.diagnostics) do
    local href = d.codeDescription and d.codeDescription.href or "-"
    table.insert(lines, string.format("%s %d:%d-%d:%d %d %s | %s", d.code, d.range.start.line + 1,
      d.range.start.character + 1, d.range["end"].line + 1, d.range["end"].character + 1, d.severity, href,
      d.message))
  end
  table.sort(lines)
else
  lines = { "TIMEOUT" }
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
