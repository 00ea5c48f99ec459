"""Ticket attachments: what may be uploaded (checked by content, not by name), and serving them to the ticket's
parties only (the account's customers and marketplace staff; everyone else gets a 404)."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import ApplicationError, NotFoundError

from .models import TicketAttachment

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENT_NOT_FOUND_MESSAGE = gettext_lazy("No such attachment.")

# (magic bytes at offset 0, content type, extension); WebP is RIFF....WEBP.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
ALLOWED_TYPES_HELP = gettext_lazy("JPEG, PNG or WebP images and PDF files, at most 5 MB each, 5 per message.")


# Files a service call stored so far (removes_stored_files_on_error); None outside such a call.
_stored_names: ContextVar[list[str] | None] = ContextVar("stored_attachment_names", default=None)


def removes_stored_files_on_error(service):
    """Wrap a service that stores attachments (outside its transaction.atomic): if it fails, its transaction
    rolls back the rows, and this deletes the files it had already written, so none is left without its row."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stored: list[str] = []
        token = _stored_names.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            storage = TicketAttachment._meta.get_field("file").storage
            for name in stored:
                storage.delete(name)
            raise
        finally:
            _stored_names.reset(token)

    return wrapper


def remember_stored_file(name: str) -> None:
    """Called right after an attachment's file is written (see removes_stored_files_on_error)."""
    stored = _stored_names.get()
    if stored is not None:
        stored.append(name)


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # a Django UploadedFile (or File)
    name: str
    content_type: str
    extension: str
    size: int


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None when it is none of the allowed kinds."""
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


NAME_MAX_LENGTH = 150
# Extensions a name may already end with for each sniffed one (a JPEG is often .jpeg).
_SAME_EXTENSIONS = {".jpg": (".jpg", ".jpeg"), ".png": (".png",), ".pdf": (".pdf",), ".webp": (".webp",)}


def _display_name(raw: str, extension: str) -> str:
    """The name shown and offered on download: no folders, no invisible or bidi characters, at most 150 characters,
    ending with the extension of what the file really is (a PNG sent as "invoice.exe" downloads as
    "invoice.exe.png"; a long name keeps its extension)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if extension and not name.lower().endswith(_SAME_EXTENSIONS.get(extension, (extension,))):
        name = f"{name}{extension}" if name else ""
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, tail = name.rpartition(".")
        suffix = f".{tail}" if dot and stem and len(tail) <= 10 else ""
        name = (stem if suffix else name)[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
    return name or f"attachment{extension}"


def check_attachments(files) -> list[CheckedFile]:
    """Every upload checked: at most 5, each ≤ 5 MB, an image (JPEG/PNG/WebP) or a PDF by its content."""
    files = [upload for upload in (files or ()) if upload is not None]
    if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
        message = _("Attach at most %(count)d files to one message.") % {"count": MAX_ATTACHMENTS_PER_MESSAGE}
        raise ApplicationError("too_many_attachments", message, {"files": [message]})
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        # Messages name the file as it will be shown: no folders, no invisible or bidi characters, 150 at most.
        shown = _display_name(name, "")
        size = upload.size
        if size > MAX_ATTACHMENT_BYTES:
            message = _("%(name)s is larger than 5 MB; attach a smaller photo or PDF.") % {"name": shown}
            raise ApplicationError("attachment_too_large", message, {"files": [message]})
        if size == 0:
            message = _("%(name)s is empty.") % {"name": shown}
            raise ApplicationError("attachment_type", message, {"files": [message]})
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        sniffed = sniff_content_type(head)
        if sniffed is None:
            message = _("%(name)s is not an image (JPEG, PNG, WebP) or a PDF.") % {"name": shown}
            raise ApplicationError("attachment_type", message, {"files": [message]})
        content_type, extension = sniffed
        checked.append(
            CheckedFile(
                upload=upload,
                name=_display_name(name, extension),
                content_type=content_type,
                extension=extension,
                size=size,
            )
        )
    return checked


def attachment_for_user(*, user, attachment_id: int) -> TicketAttachment:
    """The attachment if `user` is one of its ticket's parties (the account's customers, staff); else a 404."""
    attachments = TicketAttachment.objects.select_related("message__ticket")
    if getattr(user, "is_marketplace_staff", False):
        pass
    elif getattr(user, "is_customer", False):
        attachments = attachments.filter(message__ticket__customer_account_id=user.customer_account_id)
    else:
        raise NotFoundError("not_found", ATTACHMENT_NOT_FOUND_MESSAGE)
    attachment = attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFoundError("not_found", ATTACHMENT_NOT_FOUND_MESSAGE)
    return attachment


def attachment_response(attachment: TicketAttachment, *, inline: bool = True) -> FileResponse:
    """Stream the stored file with its checked type; images and PDFs open in the browser, nothing else is served."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
