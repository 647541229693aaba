/* Defaults an administrator may edit before handing the add-in out (each clerk can still change
 * them under 关于/帮助 → 服务器设置). server: where `evaltool serve` listens; token: its 口令. */
var EVALTOOL_DEFAULTS = { server: "http://127.0.0.1:8765", token: "" };
