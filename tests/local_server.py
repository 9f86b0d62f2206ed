"""A Dash app served on a free local port for the length of a test, as a browser or client reaches it."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serving(app, **server_options) -> Iterator[str]:
    """Serve the Dash `app` on a free local port in a thread for the block; yields its URL."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True, **server_options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
