"""Helpers shared by the server tests and the load benchmark: a real uvicorn server on 127.0.0.1 in a
thread, and request payloads built from real workbooks (openpyxl engine grids -> evaltool's JSON)."""
from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import socket
import threading
import time
from pathlib import Path

from evaltool.workbook import xlsx_engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(settings):
    """The real server (evaltool.server.app + the protocol `evaltool serve` uses), in a thread."""
    import uvicorn

    from evaltool.server.app import create_app
    from evaltool.server.protocol import protocol_class

    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                            http=protocol_class(settings.header_timeout), timeout_keep_alive=5,
                            h11_max_incomplete_event_size=64 * 1024, log_level="error", lifespan="off",
                            server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{settings.host}:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _json_value(v):
    if isinstance(v, (dt.datetime, dt.date)):
        return {"date": v.isoformat()}
    return v


def payload_from_file(path: Path, **extra) -> dict:
    """What the WPS add-in sends for this workbook: every sheet's values, merged areas and notes."""
    import openpyxl

    grids = xlsx_engine.read_grids(path)
    wb = openpyxl.load_workbook(path)
    sheets = []
    for g in grids:
        ws = wb[g.sheet]
        notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
        width = max(g.ncols, 1)
        sheets.append({"name": g.sheet,
                       "values": [[_json_value(v) for v in r + [None] * (width - len(r))] for r in g.values],
                       "merged": [f"{_a1(r1, c1)}:{_a1(r2, c2)}" for r1, c1, r2, c2 in g.merged],
                       "notes": notes})
    return {"book": path.name, "sheets": sheets, **extra}


def _a1(r, c):
    from evaltool.core.seam import address

    return address(r, c)


def post(base: str, path: str, body, headers: dict | None = None, raw: bool = False, timeout: float = 60):
    """(status, headers, parsed JSON or bytes)."""
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    try:
        conn.request("POST" if path != "/api/about" else "GET", path, body=data if path != "/api/about" else None,
                     headers=hdrs)
        resp = conn.getresponse()
        content = resp.read()
    finally:
        conn.close()
    ctype = resp.getheader("content-type") or ""
    if not raw and ctype.startswith("application/json"):
        return resp.status, dict(resp.getheaders()), json.loads(content)
    return resp.status, dict(resp.getheaders()), content
