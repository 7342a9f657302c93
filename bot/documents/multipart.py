"""A small ``multipart/form-data`` reader (the upload form has one file and a few text fields).

FastAPI's own form parsing needs the python-multipart package; this reads the one request shape
the documents API accepts, bounded by the body size limit, with nothing to install.
"""

from __future__ import annotations

from email.message import Message
from email.parser import HeaderParser

from bot.documents.errors import BadUpload


def boundary_of(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if message.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise BadUpload("Content-Type: expected multipart/form-data with a boundary")
    return boundary


def parse_form(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """(text fields, files as name → (filename, bytes)) of a multipart/form-data body."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    parts = body.split(delimiter)
    if len(parts) < 3:
        raise BadUpload("body: not a multipart/form-data body (no parts between the boundaries)")
    for part in parts[1:]:
        if part.startswith(b"--"):
            break
        part = part[2:] if part.startswith(b"\r\n") else part
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            raise BadUpload("body: a form part has no header/body separator")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers = HeaderParser().parsestr(head.decode("utf-8", "replace"))
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = headers.get_filename()
        if filename is not None:
            files[name] = (filename, content)
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields, files
