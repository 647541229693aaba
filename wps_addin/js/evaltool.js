/*
 * evaltool WPS 加载项: the workbook in WPS 表格 (et) <-> `evaltool serve`.
 *
 * Reading: one UsedRange.Value2 per sheet, plus the few calls needed for merged areas, the number
 * formats of numeric cells (so dates arrive as dates) and the existing notes. Writing: the server
 * sends the writes already grouped (value blocks by rectangle, fills by range, notes by cell) and
 * they are applied one call per group. Everything is computed by the server before the first
 * write, so a failure leaves the workbook as it was. Every message to the clerk is Chinese.
 *
 * Runs in WPS's Chromium page (window.Application, window.wps) and in Node for the tests, where
 * a recording stand-in of the object model is passed in.
 */
(function (root) {
  "use strict";

  var TITLE = "evaltool 绩效自评";
  var DEFAULTS = { server: "http://127.0.0.1:8765", token: "" };
  var MAX_AREA_ADDRESS = 255; // Excel's and WPS's limit for Range("A1,B2:B9,…")
  var XL_NONE = -4142;

  // ---- settings -------------------------------------------------------------------------------
  function storage(env) {
    return env.localStorage || (typeof localStorage !== "undefined" ? localStorage : null);
  }

  function loadSettings(env) {
    var base = Object.assign({}, DEFAULTS, (env && env.defaults) || (root.EVALTOOL_DEFAULTS || {}));
    var store = storage(env || {});
    if (store) {
      try {
        var saved = JSON.parse(store.getItem("evaltool.settings") || "{}");
        if (saved && typeof saved === "object") {
          if (typeof saved.server === "string" && saved.server) base.server = saved.server;
          if (typeof saved.token === "string") base.token = saved.token;
        }
      } catch (e) { /* a damaged entry: the defaults stand */ }
    }
    base.server = String(base.server).replace(/\/+$/, "");
    return base;
  }

  function saveSettings(env, server, token) {
    server = String(server || "").trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^\s/]+/i.test(server)) {
      throw new UserError("服务器地址应以 http:// 或 https:// 开头，例如 http://127.0.0.1:8765");
    }
    if (/^http:\/\//i.test(server) && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|$)/i.test(server) && token) {
      // A token over plain HTTP on a network can be read by anyone on the way.
      env.warn && env.warn("提示：口令将以明文 http 发送，建议单位服务器使用 https。");
    }
    var store = storage(env);
    if (!store) throw new UserError("无法保存设置（此环境没有本地存储）。");
    store.setItem("evaltool.settings", JSON.stringify({ server: server, token: String(token || "") }));
    return loadSettings(env);
  }

  function UserError(message) { this.message = message; }
  UserError.prototype = Object.create(Error.prototype);
  UserError.prototype.name = "UserError";

  // ---- addresses and grouping -----------------------------------------------------------------
  function colLetter(col) {
    var s = "";
    while (col > 0) { var m = (col - 1) % 26; s = String.fromCharCode(65 + m) + s; col = Math.floor((col - 1) / 26); }
    return s;
  }
  function a1(row, col) { return colLetter(col) + row; }
  function parseA1(text) {
    var m = /^\$?([A-Za-z]+)\$?(\d+)$/.exec(String(text).trim());
    if (!m) return null;
    var col = 0;
    for (var i = 0; i < m[1].length; i++) col = col * 26 + m[1].toUpperCase().charCodeAt(i) - 64;
    return [parseInt(m[2], 10), col];
  }
  function plainAddress(rng) {
    var a = typeof rng.Address === "function" ? rng.Address(false, false) : rng.Address;
    return String(a).replace(/\$/g, "").split("!").pop();
  }
  /** Ranges joined into multi-area addresses of at most 255 characters (one call each). */
  function areaChunks(ranges) {
    var out = [], chunk = "";
    ranges.forEach(function (r) {
      if (chunk && chunk.length + 1 + r.length > MAX_AREA_ADDRESS) { out.push(chunk); chunk = ""; }
      chunk = chunk ? chunk + "," + r : r;
    });
    if (chunk) out.push(chunk);
    return out;
  }
  /** "FFC7CE" -> the BGR integer Interior.Color takes. */
  function bgr(hex) {
    var n = parseInt(hex, 16);
    return ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff);
  }

  // ---- reading --------------------------------------------------------------------------------
  function as2d(v) {
    if (Array.isArray(v)) return v.map(function (r) { return Array.isArray(r) ? r : [r]; });
    return [[v]];
  }
  // Value2 hands an error cell over as its CVErr code; a file read gives the error's text.
  var ERRORS = { "-2146826281": "#DIV/0!", "-2146826246": "#N/A", "-2146826259": "#NAME?", "-2146826288": "#NULL!",
    "-2146826252": "#NUM!", "-2146826265": "#REF!", "-2146826273": "#VALUE!" };
  function cleanValue(v) {
    if (v === undefined || v === "") return null;
    if (typeof v === "number" && ERRORS[String(v)]) return ERRORS[String(v)];
    if (v instanceof Date) return { date: new Date(v.getTime() - v.getTimezoneOffset() * 60000).toISOString().slice(0, 19) };
    return v;
  }
  function isGeneral(fmt) { return !fmt || fmt === "General" || fmt === "G/通用格式" || fmt === "@"; }

  function readSheet(ws) {
    var used = ws.UsedRange;
    var values = as2d(used.Value2).map(function (r) { return r.map(cleanValue); }); // the one bulk read
    var row0 = used.Row, col0 = used.Column;
    var merged = [], seen = {};
    // Merged areas: only rows that hold one (MergeCells is false for a row without any) are probed,
    // and in them only the filled cells (a merged label's text sits in its top-left cell).
    if (used.MergeCells !== false) {
      values.forEach(function (r, i) {
        var filled = [];
        r.forEach(function (v, j) { if (v !== null) filled.push(j); });
        if (!filled.length) return;
        var rowRange = ws.Range(a1(row0 + i, col0) + ":" + a1(row0 + i, col0 + r.length - 1));
        if (rowRange.MergeCells === false) return;
        filled.forEach(function (j) {
          var cell = ws.Range(a1(row0 + i, col0 + j));
          if (cell.MergeCells) {
            var addr = plainAddress(cell.MergeArea);
            if (!seen[addr]) { seen[addr] = true; merged.push(addr); }
          }
        });
      });
    }
    // Number formats of numeric cells, one call per column when the column is uniform.
    var formats = {};
    var width = values.reduce(function (w, r) { return Math.max(w, r.length); }, 0);
    for (var j = 0; j < width; j++) {
      var rows = [];
      values.forEach(function (r, i) { if (typeof r[j] === "number") rows.push(i); });
      if (!rows.length) continue;
      var colFmt = ws.Range(a1(row0, col0 + j) + ":" + a1(row0 + values.length - 1, col0 + j)).NumberFormat;
      rows.forEach(function (i) {
        var fmt = (typeof colFmt === "string") ? colFmt : ws.Range(a1(row0 + i, col0 + j)).NumberFormat;
        if (!isGeneral(fmt)) formats[a1(row0 + i, col0 + j)] = String(fmt);
      });
    }
    var notes = {};
    var comments = ws.Comments;
    var count = comments ? comments.Count : 0;
    for (var k = 1; k <= count; k++) {
      var c = comments.Item(k);
      var text = typeof c.Text === "function" ? c.Text() : c.Text;
      notes[plainAddress(c.Parent)] = String(text == null ? "" : text);
    }
    // xlSheetHidden 0, xlSheetVeryHidden 2: a form on such a sheet is named, not read
    var hidden = ws.Visible === 0 || ws.Visible === 2 || ws.Visible === false;
    return { name: ws.Name, row: row0, column: col0, values: values, merged: merged, formats: formats, notes: notes,
             hidden: hidden };
  }

  function sheetsOf(book) {
    var out = [];
    for (var i = 1; i <= book.Worksheets.Count; i++) out.push(book.Worksheets.Item(i));
    return out;
  }

  function readBook(book) {
    return { book: book.Name, sheets: sheetsOf(book).map(readSheet) };
  }

  // ---- the server -----------------------------------------------------------------------------
  function request(env, path, body, binary) {
    var settings = loadSettings(env);
    var headers = { "Content-Type": "application/json" };
    if (settings.token) headers["Authorization"] = "Bearer " + settings.token;
    var doFetch = env.fetch || root.fetch;
    var init = body === undefined ? { method: "GET", headers: headers }
                                  : { method: "POST", headers: headers, body: JSON.stringify(body) };
    // One retry when the connection fails before any answer: a kept-alive connection the server
    // has just closed fails that way, and every request is safe to repeat (the server keeps nothing).
    var attempt = function () { return doFetch(settings.server + path, init); };
    return attempt().catch(function () { return attempt(); }).then(function (resp) {
      var type = (resp.headers.get("content-type") || "");
      if (resp.ok) return binary ? resp.arrayBuffer().then(function (buf) { return { data: buf, headers: resp.headers }; })
                                 : resp.json();
      if (type.indexOf("application/json") === 0) {
        return resp.json().then(function (j) { throw new UserError(j.error || ("服务器返回错误 " + resp.status)); });
      }
      throw new UserError("服务器返回错误 " + resp.status + "，请确认地址是 evaltool 计分服务（" + settings.server + "）。");
    }, function () {
      throw new UserError("无法连接 evaltool 计分服务（" + settings.server + "）。请先在本机运行“evaltool serve”，"
        + "或在“关于/帮助”中把服务器地址改为单位计分服务器的地址。");
    });
  }

  // ---- writing --------------------------------------------------------------------------------
  function worksheet(book, name) {
    var sheets = sheetsOf(book);
    for (var i = 0; i < sheets.length; i++) if (sheets[i].Name === name) return sheets[i];
    return null;
  }

  function setFill(rng, fill) {
    if (fill) rng.Interior.Color = bgr(fill);
    else rng.Interior.ColorIndex = XL_NONE;
  }

  function withUnprotected(ws, fn) {
    if (!ws.ProtectContents) return fn();
    var p = ws.Protection || {};
    var opts = [ws.ProtectDrawingObjects, true, ws.ProtectScenarios, false, p.AllowFormattingCells,
      p.AllowFormattingColumns, p.AllowFormattingRows, p.AllowInsertingColumns, p.AllowInsertingRows,
      p.AllowInsertingHyperlinks, p.AllowDeletingColumns, p.AllowDeletingRows];
    ws.Unprotect();
    try { return fn(); } finally { ws.Protect.apply(ws, [""].concat(opts)); }
  }

  function applySheet(ws, groups) {
    withUnprotected(ws, function () {
      (groups.row_heights || []).forEach(function (h) { // rows only grow, for their wrapped text
        var row = ws.Range(a1(h.row, 1));
        if (!(row.RowHeight >= h.height)) row.RowHeight = h.height;
      });
      groups.values.forEach(function (b) { ws.Range(b.range).Value2 = b.rows; });
      groups.fills.forEach(function (g) {
        areaChunks(g.ranges).forEach(function (addr) { setFill(ws.Range(addr), g.fill); });
      });
      groups.notes.forEach(function (n) {
        var cell = ws.Range(n.cell);
        if (cell.Comment) cell.ClearComments();
        if (n.text) cell.AddComment(n.text);
      });
    });
  }

  function lastCell(rows) {
    var width = rows.reduce(function (w, r) { return Math.max(w, r.length); }, 1);
    return a1(Math.max(rows.length, 1), width);
  }

  function addSheetAtEnd(book, name) {
    var last = book.Worksheets.Item(book.Worksheets.Count);
    var ws = book.Worksheets.Add(undefined, last);
    ws.Name = name;
    return ws;
  }

  function writeResultsSheet(book, rs) {
    var ws = worksheet(book, rs.name);
    if (ws) ws.Cells.Clear(); else ws = addSheetAtEnd(book, rs.name);
    ws.Range("A1:" + lastCell(rs.rows)).Value2 = rs.rows;
    var title = ws.Range(a1(rs.title_row, 1));
    title.Font.Bold = true;
    title.Font.Size = 14;
    rs.header_rows.forEach(function (r) {
      var head = ws.Range(a1(r, 1) + ":" + a1(r, rs.rows[r - 1].length));
      head.Interior.Color = bgr("D9D9D9");
      head.Font.Bold = true;
      if (r >= 2) ws.Range(a1(r - 1, 1)).Font.Bold = true;
    });
    rs.fills.forEach(function (g) {
      areaChunks(g.ranges).forEach(function (addr) { setFill(ws.Range(addr), g.fill); });
    });
    rs.links.forEach(function (l) {
      var cell = ws.Range(a1(l.row, l.col));
      ws.Hyperlinks.Add(cell, "", "'" + l.sheet + "'!" + l.cell, "跳转到“" + l.sheet + "”工作表的 " + l.cell + " 单元格",
        String(rs.rows[l.row - 1][l.col - 1]));
    });
    rs.widths.forEach(function (w, i) { ws.Range(a1(1, i + 1)).ColumnWidth = w; });
    return ws;
  }

  function applyPlan(app, book, plan) {
    var before = app.ScreenUpdating;
    app.ScreenUpdating = false;
    try {
      plan.sheets.forEach(function (g) {
        var ws = worksheet(book, g.name);
        if (ws) applySheet(ws, g);
      });
      writeResultsSheet(book, plan.results_sheet);
    } finally {
      app.ScreenUpdating = before === undefined ? true : before;
    }
  }

  function layDown(book, sheet) {
    var ws = addSheetAtEnd(book, sheet.name);
    if (sheet.rows.length) ws.Range("A1:" + lastCell(sheet.rows)).Value2 = sheet.rows;
    sheet.merged.forEach(function (m) { ws.Range(m).Merge(); });
    Object.keys(sheet.widths).forEach(function (col) { ws.Range(col + "1").ColumnWidth = sheet.widths[col]; });
    return ws;
  }

  // ---- files beside the workbook --------------------------------------------------------------
  function bookFolder(book) {
    var folder = book.Path;
    if (!folder) throw new UserError("这个工作簿还没有保存到电脑上。请先“另存为”到本机文件夹，再点此按钮。");
    return folder;
  }
  function sep(folder) { return folder.indexOf("\\") >= 0 ? "\\" : "/"; }
  function freeName(fs, folder, name) {
    var dot = name.lastIndexOf("."), stem = name.slice(0, dot), ext = name.slice(dot);
    var path = folder + sep(folder) + name, n = 2;
    while (fs.Exists(path)) { path = folder + sep(folder) + stem + "（" + n + "）" + ext; n++; }
    return path;
  }
  function binaryString(buf) {
    var bytes = new Uint8Array(buf), out = "";
    for (var i = 0; i < bytes.length; i += 8192) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    return out;
  }
  function fileNameFrom(headers, fallback) {
    var cd = headers.get("content-disposition") || "";
    var m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  // ---- the buttons ----------------------------------------------------------------------------
  function activeBook(env) {
    var book = env.app.ActiveWorkbook;
    if (!book) throw new UserError("请先打开要处理的工作簿。");
    return book;
  }

  function run(env, verb, fn) {
    try {
      return Promise.resolve(fn()).then(function (r) { return r; }, function (e) { return fail(env, e); });
    } catch (e) {
      return Promise.resolve(fail(env, e));
    }
  }
  function fail(env, e) {
    if (e instanceof UserError) env.alert("无法处理：" + e.message);
    else env.alert("加载项内部错误（" + (e && e.message ? e.message : e) + "）。您的工作簿没有被修改。"
      + "请把工作簿发给技术支持。");
    return null;
  }

  function check(env) { return markOrScore(env, "/api/check"); }
  function score(env) { return markOrScore(env, "/api/score"); }

  function markOrScore(env, path) {
    return run(env, path, function () {
      var book = activeBook(env);
      return request(env, path, readBook(book)).then(function (plan) {
        applyPlan(env.app, book, plan);
        env.alert(plan.summary);
        return plan;
      });
    });
  }

  function report(env) {
    return run(env, "report", function () {
      var book = activeBook(env);
      var folder = bookFolder(book);
      var body = readBook(book);
      body.sheet = env.app.ActiveSheet ? env.app.ActiveSheet.Name : null;
      return request(env, "/api/report", body, true).then(function (got) {
        var fs = env.fs;
        var path = freeName(fs, folder, fileNameFrom(got.headers, "绩效评价报告.docx"));
        if (!fs.writeAsBinaryString(path, binaryString(got.data))) throw new UserError("无法写入 " + path + "，请检查文件夹是否可写。");
        var errors = parseInt(got.headers.get("x-evaltool-errors") || "0", 10);
        var note = errors ? "\n注意：表中还有 " + errors + " 个错误，报告中的相关数字可能不准确，请先点“校验”修正。" : "";
        if (env.open) env.open(path);
        env.alert("已生成绩效评价报告：\n" + path + note);
        return path;
      });
    });
  }

  // kind: the 新建 menu item's tag (自评表, 评分表 …); none: the 自评表.
  function newSheet(env, kind) {
    return run(env, "new", function () {
      var book = activeBook(env);
      var names = sheetsOf(book).map(function (s) { return s.Name; });
      var body = { format: "grids", existing: names };
      if (kind) body.kind = String(kind);
      return request(env, "/api/new", body).then(function (got) {
        layDown(book, got.sheet);
        layExtra(book, got);
        env.alert("已新建空白" + (kind || "自评表") + "“" + got.sheet.name + "”。白色单元格由您填写，灰色单元格由“计分”自动填写。");
        return got.sheet.name;
      });
    });
  }

  // The sheets that go with a new form (报告素材, 设置, 说明 …) which the workbook has none of yet.
  function layExtra(book, got) {
    (got.extra || []).forEach(function (sheet) { layDown(book, sheet); });
  }

  function importCase(env, path) {
    return run(env, "import", function () {
      var book = activeBook(env);
      path = path || env.app.GetOpenFilename("案例文件 (*.yaml;*.yml),*.yaml;*.yml", 1, "选择案例文件");
      if (!path || path === false) return null;
      var text = env.fs.ReadFile(path);
      if (typeof text !== "string") throw new UserError("无法读取 " + path + "。");
      var body = readBook(book);
      body.format = "grids";
      body.case_yaml = text;
      return request(env, "/api/new", body).then(function (got) {
        applyNew(env, book, got);
        env.alert("已把 " + String(path).split(/[\\/]/).pop() + " 导入到工作表“" + got.sheet.name + "”。\n" + got.plan.summary);
        return got.sheet.name;
      });
    });
  }
  // 由目标表生成自评表: the 绩效目标表 of this workbook (sent with every sheet) becomes a pre-filled 自评表.
  function fromTargets(env) {
    return run(env, "new", function () {
      var book = activeBook(env);
      var body = readBook(book);
      body.format = "grids";
      body.from_targets = true;
      return request(env, "/api/new", body).then(function (got) {
        applyNew(env, book, got);
        env.alert("已由绩效目标表生成自评表“" + got.sheet.name + "”。年底请填写全年预算数、全年执行数和实际完成值后点“计分”。\n"
          + got.plan.summary);
        return got.sheet.name;
      });
    });
  }
  function applyNew(env, book, got) {
    layDown(book, got.sheet);
    layExtra(book, got);
    if (got.plan) applyPlan(env.app, book, got.plan);
  }

  function exportCase(env) {
    return run(env, "export", function () {
      var book = activeBook(env);
      var folder = bookFolder(book);
      return request(env, "/api/export", readBook(book)).then(function (got) {
        var paths = got.cases.map(function (c) {
          var path = folder + sep(folder) + c.file;
          if (!env.fs.WriteFile(path, c.yaml)) throw new UserError("无法写入 " + path + "，请检查文件夹是否可写。");
          return path;
        });
        env.alert("已导出案例文件：\n" + paths.join("\n"));
        return paths;
      });
    });
  }

  function collect(env) {
    env.alert("汇总要读取一个文件夹中的全部自评表，WPS 加载项无法替您打开它们。请在命令行运行："
      + "evaltool collect 文件夹 -o 汇总.xlsx（财政局也可以在计分服务器上运行）。");
    return Promise.resolve(null);
  }

  function publish(env) {
    env.alert("公开要读取保存在电脑上的工作簿文件，并用 LibreOffice 生成 PDF，WPS 加载项无法替您完成。请保存工作簿后在命令行运行："
      + "evaltool publish 工作簿.xlsx -o 公开（或给出存放表格的文件夹），结果在“公开”文件夹中。");
    return Promise.resolve(null);
  }

  function about(env) {
    return run(env, "about", function () {
      var settings = loadSettings(env);
      // The settings dialog first: when the server cannot be reached, this is where to fix it.
      if (env.showSettings) env.showSettings();
      return request(env, "/api/about").then(function (info) {
        var rules = info.rules.map(function (r) { return r.id + (r.default ? "（默认）" : ""); }).join("、");
        var text = "evaltool " + info.version + "（WPS 加载项）\n计分服务：" + settings.server
          + (settings.token ? "（已设置口令）" : "") + "\n内置规则集：" + rules + "\n\n"
          + "使用方法：在自评表中填写白色单元格，点“校验”查看问题，点“计分”填写得分和等次，"
          + "点“生成报告”得到 Word 格式的绩效评价报告。\n要改用单位的计分服务器，请在“服务器设置”窗口中填写地址和口令。";
        env.alert(text);
        return info;
      });
    });
  }

  var api = {
    TITLE: TITLE, DEFAULTS: DEFAULTS, UserError: UserError,
    loadSettings: loadSettings, saveSettings: saveSettings,
    readSheet: readSheet, readBook: readBook, applyPlan: applyPlan, layDown: layDown, areaChunks: areaChunks,
    bgr: bgr, a1: a1, parseA1: parseA1, freeName: freeName,
    check: check, score: score, report: report, newSheet: newSheet, importCase: importCase, fromTargets: fromTargets,
    exportCase: exportCase, collect: collect, publish: publish, about: about
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.Evaltool = api;
})(typeof window !== "undefined" ? window : globalThis);
