/*
 * Ribbon callbacks (ribbon.xml names them). WPS calls them as global functions of the add-in's
 * page; each hands over to evaltool.js with the page's object model and services.
 */
(function (root) {
  "use strict";
  var E = root.Evaltool || (typeof require !== "undefined" ? require("./evaltool.js") : null);

  function env() {
    var app = root.Application || (root.wps && root.wps.EtApplication && root.wps.EtApplication());
    var fs = app && app.FileSystem ? app.FileSystem : (root.wps && root.wps.FileSystem);
    return {
      app: app,
      fs: fs,
      defaults: root.EVALTOOL_DEFAULTS,
      localStorage: root.localStorage,
      fetch: root.fetch ? root.fetch.bind(root) : undefined,
      alert: function (text) { root.alert(text); },
      warn: function (text) { root.alert(text); },
      open: function (path) {
        try { if (app.OAAssist && app.OAAssist.ShellExecute) app.OAAssist.ShellExecute(path); } catch (e) { /* shown by path */ }
      },
      showSettings: function () {
        try { app.ShowDialog(settingsUrl(), "evaltool 服务器设置", 460, 320, false); } catch (e) { /* the message still shows */ }
      }
    };
  }

  function settingsUrl() {
    var here = String(root.location && root.location.href || "");
    return here.replace(/[^/]*$/, "") + "ui/settings.html";
  }

  var IMAGES = {
    evaltoolFromTargets: "images/new.svg", evaltoolImportCase: "images/import.svg",
    evaltoolExportCase: "images/export.svg", evaltoolCheck: "images/check.svg", evaltoolScore: "images/score.svg",
    evaltoolReport: "images/report.svg", evaltoolCollect: "images/collect.svg",
    evaltoolPublish: "images/export.svg", evaltoolAbout: "images/help.svg"
  };

  var callbacks = {
    OnAddinLoad: function (ribbonUI) {
      var app = env().app;
      if (app && typeof app.ribbonUI !== "object") app.ribbonUI = ribbonUI;
      return true;
    },
    GetImage: function (control) {
      // the 新建 menu and its items (one per kind of form, evaltoolNewKind1, 2 …) share one icon
      if (/^evaltoolNew(Menu|Kind\d+)$/.test(control.Id)) return "images/new.svg";
      return IMAGES[control.Id] || "images/help.svg";
    },
    OnCheck: function () { return E.check(env()); },
    OnScore: function () { return E.score(env()); },
    OnReport: function () { return E.report(env()); },
    // every item of the 新建 menu: its tag is the kind of form (自评表, 评分表 …)
    OnNewKind: function (control) { return E.newSheet(env(), control && control.Tag); },
    OnFromTargets: function () { return E.fromTargets(env()); },
    OnImportCase: function () { return E.importCase(env()); },
    OnExportCase: function () { return E.exportCase(env()); },
    OnCollect: function () { return E.collect(env()); },
    OnPublish: function () { return E.publish(env()); },
    OnAbout: function () { return E.about(env()); }
  };
  Object.keys(callbacks).forEach(function (k) { root[k] = callbacks[k]; });
  if (typeof module !== "undefined" && module.exports) module.exports = callbacks;
})(typeof window !== "undefined" ? window : globalThis);
