"""The HTTP service: Starlette routes over workbook.service, the path the CLI and Excel take.

Stateless (nothing is kept between requests, nothing is written on the server but the error log),
so any number of instances can stand behind a load balancer. Every answer that is not a result is
a 4xx JSON {"error": "<Chinese message>"}; an internal error is logged to ~/.evaltool/ and answered
the same way, never with a traceback.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import hmac
import io
import json
import os
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from evaltool.core.errors import InputError
from evaltool.server import payload as P
from evaltool.server.payload import PayloadError

LOG_NAME = "evaltool-server.log"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None  # required on every request when set (office server)
    max_bytes: int = 5 * 1024 * 1024  # a filled form posts as ~50 KB of JSON
    max_cells: int = 500_000
    timeout: float = 30.0  # seconds of work per request
    body_timeout: float = 15.0  # seconds to receive a request's body (slow clients)
    header_timeout: float = 10.0  # seconds to receive a request's headers (see protocol.py)
    threads: int = 2  # requests computed at once; the rest wait their turn
    # Browser origins allowed to call (CORS). "null" is the origin of a page opened from a local
    # folder, which is how WPS loads an add-in installed offline.
    allow_origins: tuple[str, ...] = ("null",)
    log_dir: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        data = json.loads(text)
        data["allow_origins"] = tuple(data.get("allow_origins") or ())
        return cls(**data)


# ---- responses ----------------------------------------------------------------------------------
def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


class ZhJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default, separators=(",", ":")).encode("utf-8")


def error(message: str, status: int = 400, headers: dict | None = None) -> ZhJSON:
    return ZhJSON({"error": message}, status_code=status, headers=headers)


def _log(exc: BaseException, settings: Settings) -> None:
    from pathlib import Path

    from evaltool.support import log_exception

    log_exception(exc, LOG_NAME, Path(settings.log_dir) if settings.log_dir else None)


INTERNAL = ("服务器处理时出现内部错误，已记录在服务器的日志（用户目录下 .evaltool/evaltool-server.log）中。"
            "您的工作簿没有被修改。请把工作簿发给技术支持。")


# ---- request plumbing ---------------------------------------------------------------------------
def _authorised(request: Request, settings: Settings) -> bool:
    if not settings.token:
        return True
    got = request.headers.get("x-evaltool-token") or ""
    auth = request.headers.get("authorization") or ""
    if not got and auth[:7].lower() == "bearer ":
        got = auth[7:].strip()
    # Constant time, so the answer's timing says nothing about how much of a guess was right.
    return hmac.compare_digest(got.encode("utf-8", "replace"), settings.token.encode("utf-8"))


async def _body(request: Request, settings: Settings) -> bytes:
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise PayloadError("请求的 Content-Type 应为 application/json。", 415)
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise PayloadError("请求头 Content-Length 无效。")
        if int(declared) > settings.max_bytes:
            raise PayloadError(_too_big(settings), 413)
    chunks, size = [], 0
    try:
        with anyio.fail_after(settings.body_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_bytes:
                    raise PayloadError(_too_big(settings), 413)
                chunks.append(chunk)
    except TimeoutError:
        raise PayloadError(f"请求内容在 {settings.body_timeout:g} 秒内没有发送完，连接太慢或中断。请重试。", 408) from None
    except ClientDisconnect:
        raise PayloadError("请求内容没有发送完整（连接已断开）。请重试。") from None
    return b"".join(chunks)


def _too_big(settings: Settings) -> str:
    return (f"请求超过 {settings.max_bytes / 1024 / 1024:g} MB 的上限；一张自评表通常不到 0.1 MB。"
            "请只发送自评表所在的工作表，或删除多余的行列后再试。")


def _limiter(state) -> anyio.CapacityLimiter:
    if state.limiter is None:
        state.limiter = anyio.CapacityLimiter(max(1, state.settings.threads))
    return state.limiter


def endpoint(fn: Callable[[dict, Settings], Any], needs_body: bool = True):
    """An async route running fn(data, settings) in a worker thread, within the time limit, with
    every failure turned into a Chinese 4xx."""

    async def route(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        if not _authorised(request, settings):
            return error("需要正确的访问口令：请在加载项的“服务器设置”中填写管理员提供的口令。", 401,
                         {"WWW-Authenticate": "Bearer"})
        try:
            data = P.obj(P.parse_json(await _body(request, settings))) if needs_body else {}
            result = None
            with anyio.move_on_after(settings.timeout) as scope:
                result = await anyio.to_thread.run_sync(fn, data, settings, abandon_on_cancel=True,
                                                        limiter=_limiter(request.app.state))
            if scope.cancelled_caught:
                return error(f"处理超过 {settings.timeout:g} 秒仍未完成，已停止等待。工作簿可能过大；"
                             "请只发送自评表所在的工作表后再试。", 422)
            return result if isinstance(result, Response) else ZhJSON(result)
        except PayloadError as exc:
            return error(exc.message, exc.status)
        except InputError as exc:
            return error(str(exc), 422)
        except MemoryError:
            return error("工作簿过大，服务器内存不足，无法处理。", 413)
        except Exception as exc:  # noqa: BLE001 - the clerk gets a message, the log gets the rest
            _log(exc, settings)
            return error(INTERNAL, 422)

    return route


# ---- the work (each runs in a worker thread) ----------------------------------------------------
def _rule_set(data: dict, projects) -> Any:
    """The rule set the request asks for: None (each form's own, which must be built in), a
    built-in id applied to all, or inline YAML. Never a path."""
    from evaltool.core.rules import MAX_RULES_TEXT, builtin_ids, rules_from_text

    rules = P.text_field(data, "rules", 100)
    text = P.text_field(data, "rules_yaml", MAX_RULES_TEXT)
    if rules and text:
        raise PayloadError("“rules”和“rules_yaml”只能给出一个。")
    known = builtin_ids()
    if text:
        return rules_from_text(text)
    if rules:
        if rules not in known:
            raise PayloadError(f"没有名为“{rules}”的内置规则集。可用的有：{'、'.join(known)}；"
                               "自定义规则集请把 YAML 内容放在“rules_yaml”中提交（服务器不读取文件路径）。", 422)
        for p in projects:
            p.rules = rules
        return None
    for p in projects:
        if p.rules and str(p.rules) not in known:
            where = f"工作表“{p.sheet}”" if p.sheet else "案例"
            raise PayloadError(f"{where}指定的规则集“{p.rules}”不是内置规则集，服务器不读取文件。"
                               f"请在“设置”工作表中选择内置规则集（{'、'.join(known)}），"
                               "或在加载项设置中附上规则集的内容。", 422)
    return None


def settings_rules(grids) -> str | None:
    """The rule set the workbook's 设置 sheet names, found before the forms are read (the reader
    would load it for its label vocabulary)."""
    from evaltool.workbook import layout as L
    from evaltool.workbook.reader import View, settings_rules as named

    sheet = next((g for g in grids if g.sheet == L.SHEET_SETTINGS), None) \
        or next((g for g in grids if "设置" in g.sheet), None)
    return named(View(sheet)) if sheet is not None else None


def _projects(data: dict, settings: Settings):
    """The request's forms and the rule set to score them with. The rule set is settled before
    reading, so a path written in the 设置 sheet is refused without ever being opened."""
    from evaltool.core.rules import DEFAULT_RULES, builtin_ids
    from evaltool.workbook import service

    from evaltool.engines import engine

    grids = engine("json").read(P.Posted(data, P.Limits(max_cells=settings.max_cells)))
    book = P.text_field(data, "book", 255)
    rule_set = _rule_set(data, [])
    chosen = P.text_field(data, "rules", 100)
    if rule_set is not None:
        chosen = DEFAULT_RULES  # inline rules score; the reader keeps the built-in label vocabulary
    elif not chosen:
        named = settings_rules(grids)
        if named and named not in builtin_ids():
            raise PayloadError(f"“设置”工作表指定的规则集“{named}”不是内置规则集，服务器不读取文件。"
                               f"请在“设置”工作表中选择内置规则集（{'、'.join(builtin_ids())}），"
                               "或在加载项设置中附上规则集的内容。", 422)
    projects = service.read(grids, source=book or "工作簿", rules=chosen)
    _rule_set(data, projects)  # and once more on what was read (a form naming its own rule set)
    return projects, rule_set


def _note_actions(groups, notes: dict[str, str], ours: set[tuple[str, str]], sheet: str) -> list[dict]:
    from evaltool.core.seam import address
    from evaltool.workbook import layout as L

    out = []
    for (r, c), text in groups.notes.items():
        a1 = address(r, c)
        current = notes.get(a1)
        final = L.note_after(a1 in notes, current, text, (sheet, a1) in ours)
        if final is not None:
            out.append({"cell": a1, "text": final})
    return out


def _a1(rect) -> str:
    from evaltool.core.seam import address

    r1, c1, r2, c2 = rect
    return address(r1, c1) if (r1, c1) == (r2, c2) else f"{address(r1, c1)}:{address(r2, c2)}"


def _fill(style: str):
    from evaltool.workbook import layout as L

    return L.STYLES[style].get("fill")


def plan_json(plan, data: dict, verb: str) -> dict:
    """A service.Plan as the add-in applies it: per sheet the grouped calls (value blocks, fills by
    range, notes with the clerk's own text kept), the 校验结果 sheet, and the per-cell writes."""
    from evaltool.core.results import result_dict
    from evaltool.excel.xlwings_engine import as_cell, group_writes, rectangles
    from evaltool.workbook import service

    names = [s.get("name") for s in data.get("sheets") or []]
    notes = P.notes(data)
    sheets = []
    for name, g in group_writes(plan.writes, set(names) if names else None).items():
        sheets.append({
            "name": name,
            "values": [{"range": _a1(rect), "rows": block} for rect, block in g.values],
            "fills": [{"style": st, "fill": _fill(st), "ranges": [_a1(r) for r in rects]}
                      for st, rects in g.styles.items()],
            "notes": _note_actions(g, notes.get(name, {}), plan.ours, name),
            "row_heights": [{"row": r, "height": h} for r, h in g.heights.items()],
        })
    rs = plan.sheet
    width = max((len(r) for r in rs.rows), default=1)
    by_sev: dict[str, set] = {}
    for r, sev in rs.severity_rows.items():
        by_sev.setdefault(sev, set()).add((r, 4))
    results_sheet = {
        "name": rs.name,
        "rows": [[as_cell(v) for v in row] + [None] * (width - len(row)) for row in rs.rows],
        "title_row": rs.title_row,
        "header_rows": rs.header_rows,
        "widths": list(rs.widths),
        "heights": {str(r): h for r, h in rs.heights.items()},
        "wrap_cols": list(rs.wrap_cols),
        "fills": [{"style": sev, "fill": _fill(sev), "ranges": [_a1(x) for x in rectangles(cells)]}
                  for sev, cells in sorted(by_sev.items())],
        "links": [{"row": r, "col": c, "sheet": target, "cell": a1}
                  for (r, c), (target, a1) in sorted(rs.links.items())],
    }
    return {
        "summary": service.summary(plan.results, verb),
        "errors": sum(len(r.errors) for _, r in plan.results),
        "results": [result_dict(p, r) for p, r in plan.results],
        "sheets": sheets,
        "results_sheet": results_sheet,
        "writes": [dataclasses.asdict(w) for w in plan.writes],
    }


def do_check(data: dict, settings: Settings) -> dict:
    from evaltool.workbook import service

    projects, rule_set = _projects(data, settings)
    return plan_json(service.plan_projects(projects, marks_only=True, rule_set=rule_set), data, "校验")


def do_score(data: dict, settings: Settings) -> dict:
    from evaltool.workbook import service

    projects, rule_set = _projects(data, settings)
    return plan_json(service.plan_projects(projects, rule_set=rule_set), data, "计分")


def _choose(projects, data: dict):
    sheet = P.text_field(data, "sheet", 100)
    if sheet:
        chosen = [p for p in projects if p.sheet == sheet]
        if chosen:
            return chosen[0]
    if len(projects) == 1:
        return projects[0]
    names = "、".join(f"“{p.sheet}”" for p in projects)
    raise PayloadError(f"工作簿中有多个自评表（{names}），请先选中要生成报告的那张工作表再点“生成报告”。", 422)


def do_report(data: dict, settings: Settings) -> Response:
    from evaltool.report.generate import build_report
    from evaltool.workbook import service

    projects, rule_set = _projects(data, settings)
    project = _choose(projects, data)
    (project, result), = service.evaluate([project], rule_set)
    buf = io.BytesIO()
    build_report(project, result).save(buf)
    book = P.text_field(data, "book", 255) or "自评表.xlsx"
    stem = os.path.splitext(os.path.basename(book.replace("\\", "/")))[0] or "自评表"
    from evaltool.core.kinds import kind_of

    name = f"{stem}-{kind_of(project).report_name}.docx"  # as `evaltool report` names it
    headers = {"Content-Disposition": f"attachment; filename=\"report.docx\"; filename*=UTF-8''{quote(name)}",
               "X-Evaltool-Errors": str(len(result.errors)),
               "X-Evaltool-Summary": quote(service.summary([(project, result)], "计分"))}
    return Response(buf.getvalue(), media_type=DOCX, headers=headers)


def do_export(data: dict, settings: Settings) -> dict:
    from evaltool.core.caseio import dump_case

    projects, _ = _projects(data, settings)
    book = P.text_field(data, "book", 255) or "自评表.xlsx"
    stem = os.path.splitext(os.path.basename(book.replace("\\", "/")))[0] or "自评表"
    out = []
    for p in projects:
        suffix = "" if len(projects) == 1 else f"-{p.sheet}"
        out.append({"sheet": p.sheet, "name": p.name, "file": f"{stem}{suffix}.yaml", "yaml": dump_case(p)})
    return {"cases": out}


def do_new(data: dict, settings: Settings):
    """A new form: the template (.xlsx bytes, as `evaltool new` writes it), or — for the add-ins,
    which add it to the open workbook — the sheet's grid, merges and widths, plus the score plan
    when it was filled from a case."""
    from evaltool.core.caseio import parse_case
    from evaltool.core.rules import MAX_RULES_TEXT
    from evaltool.workbook import service, template, xlsx_engine

    fmt = P.text_field(data, "format", 10) or "xlsx"
    if fmt not in ("xlsx", "grids"):
        raise PayloadError("“format”应为 xlsx（整个工作簿文件）或 grids（工作表内容）。")
    case_text = P.text_field(data, "case_yaml", 1024 * 1024)
    project = parse_case(case_text, "随请求提交的案例") if case_text else None
    if data.get("from_targets") is not None:  # 由目标表生成自评表: the 绩效目标表 among the posted sheets
        if data.get("from_targets") is not True or project is not None:
            raise PayloadError("“from_targets”应为 true，且不能与“case_yaml”同时给出。")
        from evaltool.engines import engine
        from evaltool.kinds.targets.carry import from_grids

        project = from_grids(engine("json").read(P.Posted(data, P.Limits(max_cells=settings.max_cells))), "工作簿")
    rule_set = _rule_set(data, [project] if project else [])
    rules = P.text_field(data, "rules", 100) or (project.rules if project else None)
    if P.text_field(data, "rules_yaml", MAX_RULES_TEXT):
        rules = None  # inline rules score the sheet; its 设置 sheet keeps the default id
    from evaltool.core.kinds import kind_named, kind_of, names

    kind = kind_of(project)
    asked = P.text_field(data, "kind", 40)
    if asked:  # the 新建 menu's item: a blank form of that kind
        if asked not in names():
            raise PayloadError(f"“kind”应为表格类型之一：{'、'.join(names())}。", 422)
        if project is not None and project.kind != asked:
            raise PayloadError(f"案例是{project.kind}，与“kind”（{asked}）不符。", 422)
        kind = kind_named(asked)
    if fmt == "grids" and project is not None and not kind.grids_ok:
        raise PayloadError(f"{kind.name}案例只能生成整个工作簿（format: xlsx）。", 422)
    wb = kind.build_workbook(project, rules)
    if fmt == "xlsx":
        if project is not None:
            from evaltool.engines import engine

            plan = service.plan(engine("openpyxl").read(wb), source="新建自评表.xlsx", rule_set=rule_set)
            xlsx_engine.apply_writes(wb, plan.writes)
            xlsx_engine.write_results(wb, plan.sheet)
        filename = f"{kind.title or kind.name}.xlsx"
        return Response(template.deterministic_bytes(wb), media_type=XLSX,
                        headers={"Content-Disposition": "attachment; filename=\"form.xlsx\"; "
                                 f"filename*=UTF-8''{quote(filename)}"})
    existing = data.get("existing") or [s.get("name") for s in data.get("sheets") or [] if isinstance(s, dict)]
    if not isinstance(existing, list) or not all(isinstance(x, str) for x in existing) or len(existing) > 1000:
        raise PayloadError("“existing”应为工作簿中已有工作表名称的数组。")
    from evaltool.excel.xlwings_engine import as_cell
    from evaltool.workbook.newsheet import new_form, widths

    form = new_form(kind, project, rules, existing)
    grid = form.grid

    def sheet_json(g, ws) -> dict[str, Any]:
        width = g.ncols
        return {"name": g.sheet,
                "rows": [[as_cell(v) for v in row] + [None] * (width - len(row)) for row in g.values],
                "merged": [_a1(m) for m in g.merged], "widths": widths(ws)}

    sheet = sheet_json(grid, form.sheet)
    # the sheets that go with the form (报告素材, 设置, 说明 …) the workbook has none of yet
    out: dict[str, Any] = {"sheet": sheet, "extra": [sheet_json(g, ws) for g, ws in form.extras], "plan": None}
    if project is not None:
        from evaltool.engines import engine

        others = engine("json").read(P.Posted(data, P.Limits(max_cells=settings.max_cells))) if data.get("sheets") else []
        grids = [g for g in others if g.sheet != form.name] + [grid] + [g for g, _ in form.extras]
        plan = service.plan(grids, source=P.text_field(data, "book", 255) or "工作簿", rule_set=rule_set)
        out["plan"] = plan_json(plan, {"sheets": [{"name": g.sheet} for g in grids]}, "计分")
    return out


def do_about(data: dict, settings: Settings) -> dict:
    from evaltool.core.rules import DEFAULT_RULES, builtin_ids, load_rules
    from evaltool.workbook import layout as L

    try:
        from importlib.metadata import version

        ver = version("evaltool")
    except Exception:  # noqa: BLE001
        ver = "开发版"
    rules = []
    for rid in builtin_ids():
        rs = load_rules(rid)
        rules.append({"id": rid, "name": rs.name, "description": rs.description, "default": rid == DEFAULT_RULES})
    return {"name": "evaltool", "version": ver, "template_version": L.TEMPLATE_VERSION, "rules": rules,
            "token_required": bool(settings.token),
            "limits": {"max_bytes": settings.max_bytes, "max_cells": settings.max_cells, "timeout": settings.timeout},
            "message": f"evaltool {ver} 计分服务正在运行。"}


# ---- the application ---------------------------------------------------------------------------
class ZhCORS(CORSMiddleware):
    """Starlette's CORS, with its refusal of a foreign origin worded for a clerk."""

    def preflight_response(self, request_headers):
        response = super().preflight_response(request_headers)
        if response.status_code >= 400:
            origin = request_headers.get("origin", "")
            return error(f"来源“{origin}”不在本服务允许的列表中（管理员可用 --allow-origin 添加）。", 403)
        return response


class Guard:
    """Outermost layer: the Host check (a page elsewhere must not reach a local server through DNS
    rebinding), a foreign browser origin refused, and a last catch so that nothing, not even a
    failure in the layers below, answers with a 500 or a traceback."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings
        self.local = settings.host in LOOPBACK

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = None
        if self.local:
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if name not in LOOPBACK:
                refusal = error("本机服务只接受 127.0.0.1 或 localhost 的访问。", 403)
        origin = headers.get("origin")
        if refusal is None and origin is not None and scope["method"] != "OPTIONS" \
                and "*" not in self.settings.allow_origins and origin not in self.settings.allow_origins:
            refusal = error(f"来源“{origin}”不在本服务允许的列表中（管理员可用 --allow-origin 添加）。", 403)
        if refusal is not None:
            return await refusal(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001
            _log(exc, self.settings)
            if not started:
                await error(INTERNAL, 422)(scope, receive, send)


async def not_found(request: Request, exc) -> Response:
    status = getattr(exc, "status_code", 404)
    if status == 405:
        return error("这个地址不接受此请求方法：计算类接口请用 POST，/api/about 用 GET。", 405)
    return error("没有这个接口。可用的有：/api/about、/api/check、/api/score、/api/report、/api/new、/api/export。",
                 status if 400 <= status < 500 else 404)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    routes = [
        Route("/api/about", endpoint(do_about, needs_body=False), methods=["GET"]),
        Route("/api/check", endpoint(do_check), methods=["POST"]),
        Route("/api/score", endpoint(do_score), methods=["POST"]),
        Route("/api/report", endpoint(do_report), methods=["POST"]),
        Route("/api/new", endpoint(do_new), methods=["POST"]),
        Route("/api/export", endpoint(do_export), methods=["POST"]),
    ]
    middleware = [Middleware(ZhCORS, allow_origins=list(settings.allow_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Content-Type", "Authorization", "X-Evaltool-Token"],
                             expose_headers=["Content-Disposition", "X-Evaltool-Errors", "X-Evaltool-Summary"],
                             max_age=600)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: not_found, 405: not_found})
    app.state.settings = settings
    app.state.limiter = None  # made on first use, inside the event loop
    return Guard(app, settings)  # type: ignore[return-value]


def app_from_env():
    """uvicorn factory for --workers N: each worker process builds the app from the settings the
    parent put in the environment."""
    return create_app(Settings.from_json(os.environ["EVALTOOL_SERVE_SETTINGS"]))
