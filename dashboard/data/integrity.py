"""A data file's checksum: an optional sidecar `FILE.sha256` that a file must match to be read.

A file cut short at a line boundary, or changed by hand, can still be a valid survey file: validation
alone cannot tell. Its sidecar can: the SHA-256 of the whole file as `sha256sum` writes it
(``<64 hex digits>  <file name>``), so `sha256sum -c FILE.sha256` checks it too. `read.read_table`
checks the bytes it read against the sidecar when there is one; `barometer validate FILE --checksum`
writes one for a file that passed validation. The shipped file carries one.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import DataFileError, printable, refuse

SUFFIX = ".sha256"
_LINE = re.compile(r"\s*([0-9a-fA-F]{64})(?:\s+\*?(.*))?\s*")
_MAX_SIDECAR = 4096  # bytes: a sidecar holds one line


def sidecar(path: str | Path) -> Path:
    """Return the path of a data file's checksum file.

    >>> sidecar("data/survey.csv").as_posix()
    'data/survey.csv.sha256'
    """
    path = Path(path)
    return path.with_name(path.name + SUFFIX)


def digest(data: bytes) -> str:
    """Return the SHA-256 of `data` in hex.

    >>> digest(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def expected(name: str, path: str | Path) -> str | None:
    """Return the SHA-256 the sidecar of the file at `path` gives, or None when it has none.

    Raises DataFileError (naming the sidecar) when it cannot be read or holds no checksum.
    """
    side = sidecar(path)
    try:
        with open(side, "rb") as file:
            raw = file.read(_MAX_SIDECAR + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise refuse(name, f"its checksum file {side.name} cannot be read: {exc.strerror or exc}") from None
    line = raw[:_MAX_SIDECAR].decode("utf-8", "replace").splitlines()[0] if raw.strip() else ""
    found = _LINE.fullmatch(line)
    if not found or len(raw) > _MAX_SIDECAR:
        raise refuse(name, f"its checksum file {side.name} holds no SHA-256 (expected '<64 hex digits>  "
                           f"{Path(path).name}', as sha256sum writes it); found {printable(line)!r}")
    return found.group(1).lower()


def check(name: str, path: str | Path, data: bytes) -> str:
    """Return the SHA-256 of `data`, the content read from `path`, after checking it against the file's sidecar.

    Raises DataFileError when the sidecar gives another checksum: the file changed, or was cut short, after the
    checksum was written.
    """
    found, want = digest(data), expected(name, path)
    if want is not None and want != found:
        side = sidecar(path).name
        raise refuse(name, f"the file does not match its checksum file {side} (SHA-256 {found[:16]}… of "
                           f"{len(data):,} bytes, {side} says {want[:16]}…): it changed or was cut short after the "
                           f"checksum was written. If the change is intended: barometer validate "
                           f"{Path(path).name} --checksum")
    return found


def write(path: str | Path, sha256: str) -> Path:
    """Write the sidecar of the file at `path` with its SHA-256 `sha256`; return the sidecar's path."""
    side = sidecar(path)
    temporary = side.with_name(f".{side.name}.{os.getpid()}.tmp")
    temporary.write_text(f"{sha256}  {Path(path).name}\n", encoding="utf-8")
    os.replace(temporary, side)  # whole or not at all: a reader never sees half a line
    return side


__all__ = ["SUFFIX", "DataFileError", "check", "digest", "expected", "sidecar", "write"]
