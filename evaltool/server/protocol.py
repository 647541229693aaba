"""uvicorn's HTTP/1.1 protocol with a deadline for a request's headers.

uvicorn waits for headers as long as the client likes, so a client that trickles them a byte at a
time (slowloris) holds a connection for ever. Here the headers must be complete within
header_timeout seconds of the connection opening (or of the previous response); otherwise the
client gets a 408 with a Chinese message and the connection is closed. Bodies have their own
limit in app._body.
"""
from __future__ import annotations

import json

from uvicorn.protocols.http.h11_impl import H11Protocol

_BODY = json.dumps({"error": "请求头没有在规定时间内发送完，连接已关闭。请重试。"}, ensure_ascii=False).encode("utf-8")
TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                    b"Connection: close\r\nContent-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY)


def protocol_class(header_timeout: float) -> type[H11Protocol]:
    class HeaderDeadline(H11Protocol):
        _deadline = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                self.transport.write(TIMEOUT_RESPONSE)
                self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # headers are in: the body's own time limit applies now

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadline
