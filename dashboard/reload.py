"""The data a server serves, a watch on its file, and the reload that loads a changed file only through validation.

Every app knows the data it was built from (`DataSource`, at ``server.extensions["barometer_data"]``): the file,
its SHA-256, the fingerprint of the validated frame and its rows; `create_app` logs them, so every process that
computes numbers (web workers, job workers) says which data it holds.

A running server reads its file once. When the file changes on disk, `Watch` (a thread of gunicorn's
master, or of a job worker) logs one warning within 2 x WATCH_SECONDS of its last change, and the server
goes on serving the data it validated. The file is loaded by a reload: ``kill -HUP <master pid>`` makes
gunicorn call `reload_app` in its master, which builds a new app over the file (validated, and checked
against its checksum file) and, if that passes, hands it to the new workers gunicorn then forks while the
old ones finish their requests; if it fails, the error is logged and the new workers get the app the
server had. A new deploy (a restart) loads the file the same way.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .data import integrity

logger = logging.getLogger(__name__)

WATCH_SECONDS = 1.0  # how often the watch looks at the file: a change is logged within two looks
EXTENSION = "barometer_data"  # the app's DataSource, in ``server.extensions``


@dataclass(frozen=True)
class DataSource:
    """The data an app was built from: the file (None for a frame given directly), the SHA-256 of the bytes read,
    the fingerprint of the validated frame (`cache.data_fingerprint`), its rows, and what the file looked like on
    disk when it was read (size, modification time, inode)."""

    path: Path | None
    sha256: str | None
    fingerprint: str
    rows: int
    seen: tuple[int, int, int] | None

    def describe(self) -> str:
        """Return one line naming the data, for the log.

        >>> DataSource(Path("d.csv"), "ab" * 32, "0123456789abcdef", 1200, None).describe()
        'd.csv: 1,200 rows, fingerprint 0123456789abcdef, SHA-256 abababababababab…'
        """
        where = str(self.path) if self.path else "a frame given directly"
        sha = f", SHA-256 {self.sha256[:16]}…" if self.sha256 else ""
        return f"{where}: {self.rows:,} rows, fingerprint {self.fingerprint}{sha}"


def on_disk(path: Path | None) -> tuple[int, int, int] | None:
    """Return what a file looks like on disk (size, modification time in ns, inode), or None if it is not there."""
    try:
        info = os.stat(path) if path else None
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino) if info else None


def source_of(frame: pd.DataFrame, fingerprint: str) -> DataSource:
    """Return the DataSource of a frame `load` read (its ``attrs`` name the file), or of a frame given directly."""
    path = Path(frame.attrs["source"]) if frame.attrs.get("source") else None
    seen = tuple(frame.attrs["on_disk"]) if frame.attrs.get("on_disk") else on_disk(path)
    return DataSource(path, frame.attrs.get("sha256"), fingerprint, len(frame), seen)


class Watch(threading.Thread):
    """A daemon thread that logs, once per change, when the data file of `source` differs on disk from what was
    read (`how_to_load` says how to load it), and once when it is back as it was."""

    def __init__(self, source: DataSource, how_to_load: str, seconds: float = WATCH_SECONDS):
        super().__init__(name="barometer-data-watch", daemon=True)
        self.source, self.how_to_load, self.seconds = source, how_to_load, seconds
        self.last = self.pending = source.seen
        self.stopped = threading.Event()

    def look(self) -> None:
        """Compare the file on disk with what was seen last; log a change once it has settled (the same on two looks
        in a row: a file being written is not reported half-way); return None."""
        now = on_disk(self.source.path)
        if now == self.last or now != self.pending:
            self.pending = now
            return
        self.last = now
        if now == self.source.seen:
            logger.info("data file %s is again as it was when validated", self.source.path)
        elif now is None:
            logger.warning("data file %s is gone; still serving the data validated at start (%s)",
                           self.source.path, self.source.describe())
        else:
            logger.warning("data file %s changed on disk (%s bytes); still serving the data validated at start (%s). "
                           "%s", self.source.path, f"{now[0]:,}", self.source.describe(), self.how_to_load)

    def run(self) -> None:
        while not self.stopped.wait(self.seconds):
            self.look()


_watching: list[Watch] = []  # the watch of this process (one: a reload replaces it)


def watch(server, how_to_load: str) -> Watch | None:
    """Start and return the Watch of the data file a Flask `server` serves, in place of this process's watch
    (None when it serves no file); `how_to_load` ends the line logged when the file changes."""
    while _watching:
        _watching.pop().stopped.set()
    source = getattr(server, "extensions", {}).get(EXTENSION)
    if source is None or source.path is None:
        return None
    found = Watch(source, how_to_load)
    found.start()
    _watching.append(found)
    return found


def unchanged(source: DataSource | None) -> bool:
    """Return True when the file of `source` holds the very bytes that were validated (same SHA-256)."""
    if source is None or source.path is None or source.sha256 is None:
        return False
    try:
        return integrity.digest(source.path.read_bytes()) == source.sha256
    except OSError:
        return False


def reload_app(current, build):
    """Return the app to serve after a reload: `current` when its file holds the bytes it validated, else
    `build()` (a new Flask server over the data file, validated), or `current` when that fails; logs which
    and why.

    A DataFileError (the file fails validation or its checksum) or any other error keeps `current`.
    """
    before = current.extensions.get(EXTENSION)
    if unchanged(before):
        logger.info("reload: the data file is unchanged (%s)", before.describe())
        return current
    try:
        new = build()
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the server keeps the data it has
        logger.error("reload: the data file was not loaded, still serving %s:\n%s",
                     before.describe() if before else "the data loaded at start", exc)
        return current
    after = new.extensions.get(EXTENSION)
    if before and after and before.fingerprint == after.fingerprint:
        logger.info("reload: the data are unchanged (%s)", after.describe())
    else:
        logger.warning("reload: now serving %s (was %s)", after.describe() if after else "new data",
                       before.fingerprint if before else "unknown")
    return new
