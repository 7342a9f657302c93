"""Errors of document management (HTTP status in the class; bot/errors.py maps them)."""

from __future__ import annotations

from bot.errors import BadRequest, NotFound, ParkBotError


class UploadTooLarge(ParkBotError):
    code = "upload_too_large"
    status = 413


class FileTypeMismatch(BadRequest):
    """The file's name says one format and its bytes another (e.g. a .pdf that is a ZIP)."""

    code = "file_type_mismatch"


class BadUpload(BadRequest):
    """The upload request itself is malformed (no file part, bad metadata field)."""

    code = "bad_upload"


class DocumentNotFound(NotFound):
    code = "unknown_document"
