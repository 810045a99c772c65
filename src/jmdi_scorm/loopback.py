"""What the loopback servers (preview panel, local LMS) share."""

from __future__ import annotations

import http.server


def names_this_server(handler: http.server.BaseHTTPRequestHandler) -> bool:
    """Whether the request's Host is this server's loopback address (127.0.0.1 or localhost and
    its port). A web page using DNS rebinding sends its own host name, so it is refused."""
    address = handler.server.server_address
    if not isinstance(address, tuple):  # a Unix socket: no host and port to check against
        return False
    port = address[1]
    return handler.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")
