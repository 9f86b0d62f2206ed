"""The page a browser gets when the server refuses a request before the app sees it: a link longer than the
server reads (414), headers too large (431) or a malformed request (400). gunicorn answers those itself
with a bare page; `install` has its workers answer with this one, in the dashboard's look and in both
languages of the catalogs (the request was not read, so its language is not known), with the security headers of every
response. deploy/nginx.conf answers the same requests with the same page, which the app serves at
``/_refused/<status>`` (`register`) for nginx to fetch.

>>> "Linket er for langt" in page(414) and "The link is too long" in page(414)
True
>>> response(414, "URI Too Long").splitlines()[0]
b'HTTP/1.1 414 URI Too Long'
"""

from __future__ import annotations

import html

from .catalogs import CATALOGS, DEFAULT_LANG, LOCALES

STATUSES = (414, 431, 500, 400)  # the pages there are (texts under error.<status> in the catalogs)
SITE = "Innovationsbarometeret"
# One style element, allowed by the page's own policy: no script, nothing loaded from anywhere.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HEADERS = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": POLICY,
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
           "Cache-Control": "no-store", "Connection": "close"}
STYLE = ('body{margin:0;font-family:"Source Sans 3","Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f4f6f9}'
         "header{background:#0e2443;color:#fff;padding:24px 8vw}header p{margin:0;font-size:1.4rem;font-weight:700}"
         "main{padding:32px 8vw;max-width:46rem}h1{font-size:1.5rem;color:#0e2443;margin:0 0 8px}"
         "section+section{margin-top:28px;padding-top:20px;border-top:1px solid #d5dbe3}"
         "a{color:#00567f;font-weight:600}")


def page(status: int) -> str:
    """Return the HTML of the error page for `status` (414, 431, 400 or 500; another 4xx reads as 400, another
    5xx as 500)."""
    status = status if status in STATUSES else (500 if status >= 500 else 400)
    parts, titles = [], []
    for lang, locale in LOCALES.items():
        title, body = CATALOGS[lang][f"error.{status}.title"], CATALOGS[lang][f"error.{status}.body"]
        titles.append(title)
        parts.append(f'<section lang="{locale.html}"><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>'
                     f'<p><a href="/">{html.escape(CATALOGS[lang]["error.home"])}</a></p></section>')
    title = " / ".join(titles)
    return (f'<!DOCTYPE html><html lang="{LOCALES[DEFAULT_LANG].html}"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{html.escape(title)} · {SITE}</title>'
            f"<style>{STYLE}</style></head><body><header><p>{SITE}</p></header><main>{''.join(parts)}</main>"
            "</body></html>\n")


def response(status: int, reason: str) -> bytes:
    """Return the whole HTTP response (status line, headers, page) for a refused request."""
    body = page(status).encode("utf-8")
    head = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in HEADERS.items()), f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Answer a request gunicorn refused with the branded page (gunicorn's `util.write_error`, replaced)."""
    from gunicorn import util

    util.write_nonblock(sock, response(status_int, reason))


REFUSED = "/_refused/<int:status>"


def register(server) -> None:
    """Serve the error page at ``/_refused/<status>`` (what nginx shows for the requests it refuses); returns
    None."""

    @server.get(REFUSED)
    def refused(status: int):
        status = status if status in STATUSES else 400
        return page(status), status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def install() -> None:
    """Have gunicorn answer the requests it refuses with the branded page; returns None."""
    from gunicorn import util

    util.write_error = write_error
