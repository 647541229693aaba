/*
 * The WPS add-in's JS against the real `evaltool serve` (started here as python3 -m evaltool serve)
 * and a recording stand-in of WPS's object model (fake_wps.js): for every shared case the workbook
 * the add-in leaves behind has the values, fills and notes `evaltool score` writes into the file.
 * Real WPS cannot run here; this is as far as a test can reach.
 */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const net = require("node:net");
const { spawn, spawnSync } = require("node:child_process");

const E = require("../js/evaltool.js");
const ribbon = require("../js/ribbon.js");
const { fromFixture, parseCell } = require("./fake_wps.js");

const ADDIN = path.resolve(__dirname, "..");
const ROOT = path.resolve(ADDIN, "..");
const PYTHON = process.env.PYTHON || "python3";
const CASES = fs.readdirSync(path.join(ROOT, "tests", "cases")).filter((f) => f.endsWith(".yaml"))
  .map((f) => path.join(ROOT, "tests", "cases", f))
  .filter((f) => !/^类型:\s*评分表/m.test(fs.readFileSync(f, "utf8")));
const TOKEN = "node-test-token-123";

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
}

async function startServer(extra = []) {
  const port = await freePort();
  const env = Object.assign({}, process.env, { PYTHONPATH: process.env.PYTHONPATH || ROOT });
  const proc = spawn(PYTHON, ["-m", "evaltool", "serve", "--port", String(port), ...extra], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const r = await fetch(base + "/api/about", { headers: extra.includes("--token") ? { Authorization: "Bearer " + TOKEN } : {} });
      if (r.status === 200 || r.status === 401) break;
    } catch (e) { /* not up yet */ }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error("server did not start: " + stderr);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, proc };
}

const fixtures = new Map();
function fixture(casePath) {
  if (!fixtures.has(casePath)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evaltool-wps-"));
    const env = Object.assign({}, process.env, { PYTHONPATH: process.env.PYTHONPATH || ROOT });
    const out = spawnSync(PYTHON, [path.join(__dirname, "fixture.py"), casePath, dir], { env, encoding: "utf8", maxBuffer: 64 << 20 });
    if (out.status !== 0) throw new Error(out.stderr);
    fixtures.set(casePath, JSON.parse(out.stdout));
  }
  return JSON.parse(JSON.stringify(fixtures.get(casePath)));
}

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) };
}

function fakeFs(files = {}) {
  const written = {};
  return {
    written,
    Exists: (p) => p in files || p in written,
    ReadFile: (p) => files[p],
    WriteFile: (p, text) => { written[p] = text; return true; },
    writeAsBinaryString: (p, data) => { written[p] = data; return true; }
  };
}

function envFor(server, app, extra = {}) {
  const store = memoryStorage();
  store.setItem("evaltool.settings", JSON.stringify({ server: server.base, token: extra.token || "" }));
  const alerts = [];
  return Object.assign({ app, fs: fakeFs(), localStorage: store, alerts, alert: (t) => alerts.push(t) }, extra);
}

function sameValue(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) < 1e-9;
  if (typeof b === "string" && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(b) && typeof a === "number") return true; // dates compared by the server tests
  return (a === undefined ? null : a) === (b === undefined ? null : b);
}

/** Every cell of every sheet: the fake workbook after the add-in ran == the CLI-scored file. */
function assertSameAsCli(book, fx) {
  for (const [name, want] of Object.entries(fx.cells)) {
    const sheet = book.Worksheets.Item(name);
    assert.ok(sheet, "sheet " + name);
    const keys = new Set(Object.keys(want));
    for (const [k, v] of sheet.cells) {
      const [r, c] = k.split(",").map(Number);
      if (v.value !== null || v.fill || v.note) keys.add(require("./fake_wps.js").addr(r, c, r, c));
    }
    for (const a of keys) {
      const [r, c] = parseCell(a);
      const got = sheet.peek(r, c) || { value: null, fill: null, note: null };
      const exp = want[a] || { value: null, fill: null, note: null };
      assert.ok(sameValue(got.value, exp.value), `${name}!${a} value ${JSON.stringify(got.value)} != ${JSON.stringify(exp.value)}`);
      if (name !== "校验结果") {
        assert.equal(got.fill || null, exp.fill || null, `${name}!${a} fill`);
        assert.equal(got.note || null, exp.note || null, `${name}!${a} note`);
      }
    }
  }
}

let server, office;
test.before(async () => {
  for (const c of CASES) fixture(c); // made first: spawnSync blocks the event loop
  [server, office] = await Promise.all([startServer(), startServer(["--token", TOKEN])]);
});
test.after(() => { for (const s of [server, office]) if (s) s.proc.kill(); });

for (const casePath of CASES) {
  test("计分 leaves the workbook as evaltool score does: " + path.basename(casePath), async () => {
    const fx = fixture(casePath);
    const { app, book } = fromFixture(fx, { protect: true });
    const env = envFor(server, app);
    const plan = await E.score(env);
    assert.ok(plan, env.alerts.join("\n"));
    assert.deepEqual(plan.results, fx.results);
    assertSameAsCli(book, fx);
    assert.match(env.alerts[0], /^计分完成/);
    // one bulk read per sheet; one write per value block, never one per cell
    const reads = app.calls.filter((c) => c.op === "Value2.get");
    assert.equal(reads.length, fx.payload.sheets.length);
    const valueWrites = app.calls.filter((c) => c.op === "Value2.set" && c.sheet !== "校验结果");
    const blocks = plan.sheets.reduce((n, s) => n + s.values.length, 0);
    const cells = plan.writes.filter((w) => !w.keep_value).length;
    assert.equal(valueWrites.length, blocks);
    assert.ok(blocks < cells, `${blocks} blocks for ${cells} cells`);
    assert.ok(book.sheets.every((s) => s.Name === "校验结果" || s.ProtectContents), "protection restored");
    assert.equal(app.ScreenUpdating, true);
  });
}

test("校验 marks problems like the CLI and writes no value into the form", async () => {
  const fx = fixture(CASES[0]);
  const { app, book } = fromFixture(fx);
  const env = envFor(server, app);
  const plan = await E.check(env);
  assert.ok(plan, env.alerts.join("\n"));
  assert.equal(app.calls.filter((c) => c.op === "Value2.set" && c.sheet !== "校验结果").length, 0);
  const form = book.Worksheets.Item(1);
  const marked = plan.writes.filter((w) => w.style === "error");
  assert.ok(marked.length > 0);
  for (const w of marked) {
    const [r, c] = parseCell(w.cell);
    assert.equal(form.peek(r, c).fill, fx.cells[w.sheet][w.cell].fill, w.cell);
    assert.equal(form.peek(r, c).note, fx.cells[w.sheet][w.cell].note, w.cell);
  }
  assert.match(env.alerts[0], /^校验完成/);
});

test("dates arrive as dates: a serial number with a date format", async () => {
  const fx = fixture(CASES[0]);
  const { app, book } = fromFixture(fx);
  const form = book.Worksheets.Item(1);
  form.cell(40, 1).value = 44926; // 2022-12-31
  form.cell(40, 1).format = "yyyy-mm-dd";
  form.cell(41, 1).value = -2146826281; // what Value2 gives for #DIV/0!
  const sheet = E.readSheet(form);
  assert.equal(sheet.formats["A40"], "yyyy-mm-dd");
  assert.equal(sheet.values[40][0], "#DIV/0!");
  const r = await fetch(server.base + "/api/export", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sheets: [sheet] }) });
  assert.equal(r.status, 200);
});

test("a clerk's own note stays, evaltool's text goes after it", async () => {
  const fx = fixture(CASES[0]);
  const { app, book } = fromFixture(fx);
  const env = envFor(server, app);
  const first = await E.check(env);
  const cell = first.sheets[0].notes[0].cell;
  const form = book.Worksheets.Item(1);
  const [r, c] = parseCell(cell);
  form.cell(r, c).note = "我的说明";
  await E.check(env);
  assert.match(form.peek(r, c).note, /^我的说明\n【evaltool】/);
});

test("生成报告 writes the .docx beside the workbook and never over an earlier one", async () => {
  const fx = fixture(CASES[0]);
  const { app } = fromFixture(fx, { path: "/home/clerk/文档" });
  const existing = "/home/clerk/文档/自评-绩效评价报告.docx";
  const env = envFor(server, app, { fs: fakeFs({ [existing]: "old" }) });
  const p = await E.report(env);
  assert.equal(p, "/home/clerk/文档/自评-绩效评价报告（2）.docx", env.alerts.join("\n"));
  const data = env.fs.written[p];
  assert.equal(data.slice(0, 2), "PK");
  assert.match(env.alerts[0], /已生成绩效评价报告/);
});

test("生成报告 on an unsaved workbook says to save it first", async () => {
  const fx = fixture(CASES[0]);
  const { app } = fromFixture(fx, { path: "" });
  const env = envFor(server, app);
  assert.equal(await E.report(env), null);
  assert.match(env.alerts[0], /还没有保存/);
});

test("新建自评表 and 导入案例 lay the form down and score it", async () => {
  const fx = fixture(CASES[0]);
  const { app, book } = fromFixture(fx);
  const env = envFor(server, app, { fs: fakeFs({ "/cases/a.yaml": fs.readFileSync(CASES[1], "utf8") }) });
  const name = await E.newSheet(env);
  assert.equal(name, "自评表2");
  const added = book.Worksheets.Item(name);
  assert.ok(added.merges.length > 5 && added.cells.size > 20);
  const imported = await E.importCase(env, "/cases/a.yaml");
  assert.ok(imported, env.alerts.join("\n"));
  const sheet = book.Worksheets.Item(imported);
  const total = [...sheet.cells.values()].filter((c) => c.fill === "FFC7CE" || c.note).length;
  assert.ok(total >= 0);
  assert.match(env.alerts[1], /已把 a.yaml 导入到工作表/);
  assert.match(env.alerts[1], /计分完成/);
});

test("新建 menu: each item's tag is a kind; the form and the sheets it lacks are laid down", async () => {
  const xml = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const items = [...xml.matchAll(/<button id="(evaltoolNewKind\d+)"[^>]*?tag="([^"]+)"/gs)].map((m) => [m[1], m[2]]);
  assert.ok(items.length >= 2 && items[0][1] === "自评表", JSON.stringify(items));
  for (const [id, kind] of items) {
    const fx = fixture(CASES[0]);
    const { app, book } = fromFixture(fx);
    const env = envFor(server, app);
    const before = book.sheets.map((s) => s.Name);
    global.Application = app; // ribbon.js's env() finds WPS's object model here
    global.EVALTOOL_DEFAULTS = { server: server.base };
    const alerts = [];
    global.alert = (t) => alerts.push(t);
    global.localStorage = env.localStorage;
    let name;
    try {
      name = await ribbon.OnNewKind({ Id: id, Tag: kind });
    } finally {
      delete global.Application; delete global.alert; delete global.localStorage; delete global.EVALTOOL_DEFAULTS;
    }
    assert.ok(name && !before.includes(name), alerts.join("\n"));
    assert.match(alerts[0], new RegExp("^已新建空白" + kind + "“" + name + "”"));
    const added = book.sheets.map((s) => s.Name).filter((n) => !before.includes(n));
    assert.equal(added[0], name);
    assert.ok(book.Worksheets.Item(name).cells.size > 5);
    assert.ok(added.every((n) => n === name || !before.includes(n)));
  }
});

test("由目标表生成自评表: the workbook's 绩效目标表 becomes a pre-filled 自评表 sheet", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evaltool-wps-targets-"));
  const env0 = Object.assign({}, process.env, { PYTHONPATH: process.env.PYTHONPATH || ROOT });
  const make = "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
    + "import targetsforms as F; from serverkit import payload_from_file;"
    + "p = F.province_split(Path(sys.argv[1]) / '目标表.xlsx'); print(json.dumps({'payload': payload_from_file(p), 'before': {}}, ensure_ascii=False, default=str))";
  const out = spawnSync(PYTHON, ["-c", make, dir, path.join(ROOT, "tests")], { env: env0, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(out.status, 0, out.stderr);
  const fx = JSON.parse(out.stdout);
  const { app, book } = fromFixture(fx);
  const env = envFor(server, app);
  const name = await E.fromTargets(env);
  assert.equal(name, "基层干部培训项目", env.alerts.join("\n"));
  const sheet = book.Worksheets.Item(name);
  const values = [...sheet.cells.values()].map((c) => c.value);
  for (const v of ["培训人次", "≥500人次", "群众知晓率", "≥85%"]) assert.ok(values.includes(v), v);
  assert.match(env.alerts[0], /^已由绩效目标表生成自评表“基层干部培训项目”/);
  // a workbook without a 目标表: a Chinese message, nothing added
  const plain = fromFixture(fixture(CASES[0]));
  const env2 = envFor(server, plain.app);
  const before = plain.book.sheets.length;
  assert.equal(await E.fromTargets(env2), null);
  assert.equal(plain.book.sheets.length, before);
  assert.match(env2.alerts[0], /没有找到绩效目标表/);
});

test("导出案例 writes the case file the CLI exports", async () => {
  const fx = fixture(CASES[0]);
  const { app } = fromFixture(fx, { path: "C:\\Users\\clerk" });
  const env = envFor(server, app);
  const paths = await E.exportCase(env);
  assert.deepEqual(paths, ["C:\\Users\\clerk\\自评.yaml"]);
  assert.match(env.fs.written[paths[0]], /项目名称:/);
});

test("汇总 and 关于/帮助 speak Chinese and tell the truth", async () => {
  const fx = fixture(CASES[0]);
  const { app } = fromFixture(fx);
  const env = envFor(server, app);
  await E.collect(env);
  assert.match(env.alerts[0], /evaltool collect/);
  await E.publish(env);  // 公开 needs the saved file and LibreOffice: the command line says how
  assert.match(env.alerts.pop(), /evaltool publish/);
  let shown = 0;
  env.showSettings = () => { shown++; };
  const info = await E.about(env);
  assert.ok(info.version);
  assert.match(env.alerts[1], /国家标准（默认）/);
  // with the server down the settings still open, so the address can be fixed
  const down = envFor({ base: "http://127.0.0.1:9" }, app, { showSettings: () => { shown++; } });
  assert.equal(await E.about(down), null);
  assert.equal(shown, 2);
  assert.match(down.alerts[0], /无法连接/);
});

test("no server, a wrong token and a form the server refuses: a Chinese message, nothing written", async () => {
  const fx = fixture(CASES[0]);
  const { app, book } = fromFixture(fx);
  const down = envFor({ base: "http://127.0.0.1:9" }, app);
  assert.equal(await E.score(down), null);
  assert.match(down.alerts[0], /无法连接 evaltool 计分服务/);
  const wrong = envFor(office, app, { token: "nope" });
  assert.equal(await E.score(wrong), null);
  assert.match(wrong.alerts[0], /口令/);
  const right = envFor(office, app, { token: TOKEN });
  assert.ok(await E.check(right));
  const { app: app2, book: book2 } = fromFixture({ payload: { book: "x.xlsx", sheets: [{ name: "Sheet1", values: [["你好"]], merged: [] }] }, before: {} });
  const env = envFor(server, app2);
  assert.equal(await E.score(env), null);
  assert.match(env.alerts[0], /不是项目支出绩效自评表/);
  assert.equal(app2.calls.filter((c) => c.op.endsWith(".set") || c.op === "AddComment").length, 0);
  assert.ok(book && book2);
});

test("settings: saved per user, checked, defaults from defaults.js", () => {
  const store = memoryStorage();
  const env = { localStorage: store, defaults: { server: "http://10.0.0.5:8765/", token: "" }, warn() {} };
  assert.equal(E.loadSettings(env).server, "http://10.0.0.5:8765");
  const s = E.saveSettings(env, "https://evaltool.example.gov.cn/", "abc");
  assert.equal(s.server, "https://evaltool.example.gov.cn");
  assert.equal(E.loadSettings(env).token, "abc");
  assert.throws(() => E.saveSettings(env, "file:///etc", ""), /http:\/\//);
  store.setItem("evaltool.settings", "{broken");
  assert.equal(E.loadSettings(env).server, "http://10.0.0.5:8765");
});

test("multi-area fills stay within the 255-character address limit", () => {
  const ranges = Array.from({ length: 200 }, (_, i) => `A${i * 2 + 1}:C${i * 2 + 1}`);
  const chunks = E.areaChunks(ranges);
  assert.ok(chunks.length > 1 && chunks.every((c) => c.length <= 255));
  assert.deepEqual(chunks.join(",").split(","), ranges);
  assert.equal(E.bgr("FFC7CE"), 0xCEC7FF);
});

test("ribbon.xml: every callback it names exists in js/ribbon.js, every icon exists", () => {
  const xml = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const names = [...xml.matchAll(/(?:onAction|getImage|onLoad)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(names.length >= 9);
  for (const n of names) assert.equal(typeof ribbon[n], "function", n);
  for (const id of [...xml.matchAll(/<button id="([^"]+)"/g)].map((m) => m[1])) {
    const img = ribbon.GetImage({ Id: id });
    assert.notEqual(img, "images/help.svg".replace("help", "missing"));
    assert.ok(fs.existsSync(path.join(ADDIN, img)), img);
  }
  // the files wpsjs and WPS expect
  for (const f of ["index.html", "main.js", "manifest.xml", "package.json", "publish.xml", "jsplugins.xml", "ui/settings.html"]) {
    assert.ok(fs.existsSync(path.join(ADDIN, f)), f);
  }
  assert.equal(JSON.parse(fs.readFileSync(path.join(ADDIN, "package.json"), "utf8")).addonType, "et");
});
