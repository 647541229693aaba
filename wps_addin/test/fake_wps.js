/*
 * A minimal stand-in for WPS 表格's object model (the part the add-in uses), which keeps cell
 * state and records every call, so the tests can check both what the add-in leaves in the
 * workbook and how many round trips it took. Range addresses, Value2 shapes, Interior colours
 * (BGR integers, ColorIndex -4142 = none), comments and multi-area ranges behave as in Excel/WPS.
 */
"use strict";

function colNum(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}
function colLetter(col) {
  let s = "";
  while (col > 0) { const m = (col - 1) % 26; s = String.fromCharCode(65 + m) + s; col = Math.floor((col - 1) / 26); }
  return s;
}
function parseCell(a) {
  const m = /^\$?([A-Za-z]+)\$?(\d+)$/.exec(a.trim());
  if (!m) throw new Error("bad address " + a);
  return [parseInt(m[2], 10), colNum(m[1])];
}
function parseArea(a) {
  const [x, y] = a.split(":");
  const [r1, c1] = parseCell(x);
  const [r2, c2] = y ? parseCell(y) : [r1, c1];
  return [Math.min(r1, r2), Math.min(c1, c2), Math.max(r1, r2), Math.max(c1, c2)];
}
function addr(r1, c1, r2, c2) {
  const a = colLetter(c1) + r1;
  return (r1 === r2 && c1 === c2) ? a : a + ":" + colLetter(c2) + r2;
}
const hexOf = (bgr) => {
  const r = bgr & 0xff, g = (bgr >> 8) & 0xff, b = (bgr >> 16) & 0xff;
  return [r, g, b].map((x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
};

class Sheet {
  constructor(book, name) {
    this.book = book;
    this.Name = name;
    this.cells = new Map(); // "r,c" -> {value, fill, note, format, bold, size, link}
    this.merges = [];
    this.widths = {};
    this.heights = {};
    this.ProtectContents = false;
    this.ProtectDrawingObjects = false;
    this.ProtectScenarios = false;
    this.Protection = { AllowFormattingCells: true, AllowFormattingColumns: true, AllowFormattingRows: true };
    const sheet = this;
    this.Cells = { Clear() { sheet.log("Cells.Clear"); sheet.cells.clear(); sheet.merges = []; } };
    this.Hyperlinks = {
      Add(anchor, address, sub, tip, text) {
        sheet.log("Hyperlinks.Add", anchor.address);
        sheet.cell(anchor.r1, anchor.c1).link = sub;
      }
    };
  }
  log(op, address) { this.book.app.calls.push({ op, sheet: this.Name, address }); }
  cell(r, c) {
    const k = r + "," + c;
    if (!this.cells.has(k)) this.cells.set(k, { value: null, fill: null, note: null, format: "General" });
    return this.cells.get(k);
  }
  peek(r, c) { return this.cells.get(r + "," + c); }
  guard() { if (this.ProtectContents) throw new Error("sheet " + this.Name + " is protected"); }
  get UsedRange() {
    let r1 = Infinity, c1 = Infinity, r2 = 0, c2 = 0;
    for (const [k, v] of this.cells) {
      if (v.value === null && !v.fill && !v.note) continue;
      const [r, c] = k.split(",").map(Number);
      r1 = Math.min(r1, r); c1 = Math.min(c1, c); r2 = Math.max(r2, r); c2 = Math.max(c2, c);
    }
    if (!r2) return new Range(this, "A1");
    return new Range(this, addr(r1, c1, r2, c2));
  }
  Range(a) { return new Range(this, a); }
  Columns(i) { return { set ColumnWidth(w) { this._w = w; }, _sheet: this, _i: i, get ColumnWidth() { return this._w; } }; }
  get Comments() {
    const list = [...this.cells.entries()].filter(([, v]) => v.note !== null);
    const sheet = this;
    return {
      Count: list.length,
      Item(i) {
        const [k, v] = list[i - 1];
        const [r, c] = k.split(",").map(Number);
        sheet.log("Comments.Item", addr(r, c, r, c));
        return { Text: () => v.note, Parent: new Range(sheet, addr(r, c, r, c)) };
      }
    };
  }
  Unprotect() { this.log("Unprotect"); this.ProtectContents = false; }
  Protect() { this.log("Protect"); this.ProtectContents = true; }
  mergeAt(r, c) { return this.merges.find(([r1, c1, r2, c2]) => r >= r1 && r <= r2 && c >= c1 && c <= c2); }
}

class Range {
  constructor(sheet, a) {
    this.sheet = sheet;
    this.areas = a.replace(/\$/g, "").split(",").map(parseArea);
    [this.r1, this.c1, this.r2, this.c2] = this.areas[0];
    this.address = a;
    const range = this;
    this.Interior = {
      set Color(v) { range.sheet.guard(); range.sheet.log("Interior.Color", a); range.each((c) => { c.fill = hexOf(v); }); },
      set ColorIndex(v) { range.sheet.guard(); range.sheet.log("Interior.ColorIndex", a); if (v === -4142) range.each((c) => { c.fill = null; }); }
    };
    this.Font = {
      set Bold(v) { range.sheet.log("Font.Bold", a); range.each((c) => { c.bold = v; }); },
      set Size(v) { range.sheet.log("Font.Size", a); range.each((c) => { c.size = v; }); }
    };
  }
  each(fn) {
    for (const [r1, c1, r2, c2] of this.areas) for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) fn(this.sheet.cell(r, c), r, c);
  }
  get Row() { return this.r1; }
  get Column() { return this.c1; }
  Address() { return addr(this.r1, this.c1, this.r2, this.c2); }
  get Value2() {
    this.sheet.log("Value2.get", this.address);
    const out = [];
    for (let r = this.r1; r <= this.r2; r++) {
      const row = [];
      for (let c = this.c1; c <= this.c2; c++) { const v = this.sheet.peek(r, c); row.push(v ? v.value : null); }
      out.push(row);
    }
    return (this.r1 === this.r2 && this.c1 === this.c2) ? out[0][0] : out;
  }
  set Value2(rows) {
    this.sheet.guard();
    this.sheet.log("Value2.set", this.address);
    if (!Array.isArray(rows)) rows = [[rows]];
    rows.forEach((row, i) => row.forEach((v, j) => {
      if (this.r1 + i > this.r2 || this.c1 + j > this.c2) throw new Error("block larger than " + this.address);
      // A leading apostrophe makes the rest text, as Excel and WPS store it.
      this.sheet.cell(this.r1 + i, this.c1 + j).value = (typeof v === "string" && v.startsWith("'")) ? v.slice(1) : (v === undefined ? null : v);
    }));
  }
  get NumberFormat() {
    this.sheet.log("NumberFormat.get", this.address);
    const seen = new Set();
    for (let r = this.r1; r <= this.r2; r++) for (let c = this.c1; c <= this.c2; c++) {
      const v = this.sheet.peek(r, c); seen.add(v ? v.format : "General");
    }
    return seen.size === 1 ? [...seen][0] : null;
  }
  Columns(j) {
    return new Range(this.sheet, addr(this.r1, this.c1 + j - 1, this.r2, this.c1 + j - 1));
  }
  get MergeCells() {
    this.sheet.log("MergeCells.get", this.address);
    let any = false, all = true;
    for (let r = this.r1; r <= this.r2; r++) for (let c = this.c1; c <= this.c2; c++) {
      if (this.sheet.mergeAt(r, c)) any = true; else all = false;
    }
    return all ? true : (any ? null : false);
  }
  get MergeArea() {
    this.sheet.log("MergeArea.get", this.address);
    const m = this.sheet.mergeAt(this.r1, this.c1);
    return m ? new Range(this.sheet, addr(...m)) : this;
  }
  Merge() { this.sheet.guard(); this.sheet.log("Merge", this.address); this.sheet.merges.push([this.r1, this.c1, this.r2, this.c2]); }
  get Comment() { const v = this.sheet.peek(this.r1, this.c1); return v && v.note !== null ? { Text: () => v.note } : null; }
  AddComment(text) { this.sheet.guard(); this.sheet.log("AddComment", this.address); this.sheet.cell(this.r1, this.c1).note = text; }
  ClearComments() { this.sheet.guard(); this.sheet.log("ClearComments", this.address); this.each((c) => { c.note = null; }); }
  set ColumnWidth(w) { this.sheet.log("ColumnWidth", this.address); this.sheet.widths[colLetter(this.c1)] = w; }
  get RowHeight() { return this.sheet.heights[this.r1] === undefined ? 14.25 : this.sheet.heights[this.r1]; }
  set RowHeight(h) { this.sheet.guard(); this.sheet.log("RowHeight", this.address); this.sheet.heights[this.r1] = h; }
}

class Book {
  constructor(app, name, path) {
    this.app = app;
    this.Name = name;
    this.Path = path;
    this.sheets = [];
    const book = this;
    this.Worksheets = {
      get Count() { return book.sheets.length; },
      Item(i) { return typeof i === "number" ? book.sheets[i - 1] : book.sheets.find((s) => s.Name === i); },
      Add(before, after) {
        const s = new Sheet(book, "Sheet" + (book.sheets.length + 1));
        const at = after ? book.sheets.indexOf(after) + 1 : before ? book.sheets.indexOf(before) : book.sheets.length;
        book.sheets.splice(at, 0, s);
        app.calls.push({ op: "Worksheets.Add" });
        return s;
      }
    };
  }
}

/** A WPS application holding one workbook built from the tests' fixture (cells as openpyxl sees
 * the file: value / fill / note, plus merged areas). Dates become serial numbers with a date
 * format, as Value2 hands them over. */
function fromFixture(fixture, opts = {}) {
  const app = { calls: [], ScreenUpdating: true };
  const book = new Book(app, fixture.payload.book, opts.path === undefined ? "/tmp" : opts.path);
  for (const s of fixture.payload.sheets) {
    const sheet = new Sheet(book, s.name);
    book.sheets.push(sheet);
    s.values.forEach((row, i) => row.forEach((v, j) => {
      if (v === null || v === "") return;
      const cell = sheet.cell(i + 1, j + 1);
      if (v && typeof v === "object" && v.date) {
        const ms = Date.parse(v.date + "Z");
        cell.value = ms / 86400000 + 25569;
        cell.format = "yyyy\"年\"m\"月\"d\"日\"";
      } else cell.value = v;
    }));
    const before = fixture.before[s.name] || {};
    for (const [a, c] of Object.entries(before)) {
      const [r, col] = parseCell(a);
      const cell = sheet.cell(r, col);
      cell.fill = c.fill;
      cell.note = c.note;
    }
    sheet.merges = s.merged.map(parseArea);
    if (opts.protect) sheet.ProtectContents = true;
  }
  app.ActiveWorkbook = book;
  app.ActiveSheet = book.sheets[0];
  return { app, book };
}

module.exports = { fromFixture, parseCell, parseArea, addr, colLetter, Sheet, Book, Range };
