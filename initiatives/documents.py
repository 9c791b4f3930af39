"""What an uploaded document is allowed to be, judged from its bytes, never from its name.

Accepted: PDF, PNG/JPEG/WebP/GIF images, office files (OOXML docx/xlsx/pptx, OpenDocument
odt/ods/odp, legacy doc/xls/ppt). Zip-based office formats are confirmed by looking inside
the archive (`[Content_Types].xml` for OOXML, the `mimetype` entry for OpenDocument), so a
renamed zip, a macro-enabled file or anything else is refused. The uploaded name is only
kept, cleaned, as a label for downloads; files are stored under random server-side names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    mime: str
    extensions: tuple[str, ...]  # the first one is the canonical extension
    label: str


PDF = Kind("application/pdf", ("pdf",), "PDF")
PNG = Kind("image/png", ("png",), "PNG")
JPEG = Kind("image/jpeg", ("jpg", "jpeg"), "JPEG")
WEBP = Kind("image/webp", ("webp",), "WebP")
GIF = Kind("image/gif", ("gif",), "GIF")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
    "Word",
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "Excel")
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
    "PowerPoint",
)
ODT = Kind("application/vnd.oasis.opendocument.text", ("odt",), "OpenDocument texte")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", ("ods",), "OpenDocument tableur")
ODP = Kind("application/vnd.oasis.opendocument.presentation", ("odp",), "OpenDocument présentation")
DOC = Kind("application/msword", ("doc",), "Word 97-2003")
XLS = Kind("application/vnd.ms-excel", ("xls",), "Excel 97-2003")
PPT = Kind("application/vnd.ms-powerpoint", ("ppt",), "PowerPoint 97-2003")

ALLOWED = (PDF, PNG, JPEG, WEBP, GIF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT)
BY_MIME = {kind.mime: kind for kind in ALLOWED}
ALLOWED_EXTENSIONS = sorted({ext for kind in ALLOWED for ext in kind.extensions})
# For the file input's `accept` attribute: a hint to browsers, checked again here.
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)

# The main part each OOXML format declares in [Content_Types].xml (macro-enabled variants
# declare other types and are refused).
OOXML_MAIN_PARTS = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
ODF_KINDS = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}
EXECUTABLE_MIMES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/x-shellscript",
    "application/vnd.microsoft.portable-executable",
    "application/x-dosexec",
}
# Extensions that announce a type: a file named so must really be of that type.
TELLING_EXTENSIONS = set(ALLOWED_EXTENSIONS) | {
    "exe",
    "dll",
    "com",
    "bat",
    "cmd",
    "scr",
    "msi",
    "ps1",
    "sh",
    "js",
    "vbs",
    "jar",
    "apk",
    "html",
    "htm",
    "svg",
    "xml",
    "zip",
    "rar",
    "7z",
    "docm",
    "xlsm",
    "pptm",
    "txt",
    "csv",
    "rtf",
}
EXECUTABLE_PREFIXES = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
HEAD_BYTES = 8192
# Reading inside an archive: only small metadata entries, never a whole (possibly huge) file.
MAX_METADATA_ENTRY = 1024 * 1024


def max_size() -> int:
    return int(settings.DOCUMENT_MAX_SIZE)


@dataclass(frozen=True)
class CheckedUpload:
    kind: Kind
    original_name: str
    size: int
    sha256: str


def sanitise_filename(name: str | None, *, kind: Kind | None = None) -> str:
    """A display name safe in headers and on any file system: no folders, no control
    characters, no leading dots, at most 255 characters, extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]  # drop any folder part, Windows or POSIX
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*;]', "_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if kind is not None and ext.lower() not in kind.extensions:
        # "Compte rendu 12.03.2024" stays whole and gets the real type's extension.
        stem, ext = f"{stem}.{ext}" if ext else stem, kind.extensions[0]
    stem = stem.strip(" .") or str(_("document"))
    ext = ext.lower()[:10]
    stem = stem[: 255 - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def _extension(name: str) -> str:
    suffix = PurePosixPath(re.split(r"[\\/]", name or "")[-1]).suffix
    return suffix[1:].lower()


def _zip_kind(upload) -> Kind | None:
    """The office format a zip archive really is, from its metadata entries."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                return ODF_KINDS.get(declared)
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > MAX_METADATA_ENTRY:
                    return None
                content_types = archive.read(info).decode("utf-8", "replace")
                for kind, main_part in OOXML_MAIN_PARTS.items():
                    if f'ContentType="{main_part}"' in content_types:
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def detect_kind(upload) -> tuple[Kind | None, str]:
    """(allowed kind or None, what the bytes look like: for the error message)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(EXECUTABLE_PREFIXES):
        return None, "executable"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload), "zip"
    guessed = filetype.guess(head)
    if guessed is None:
        return None, "unknown"
    if guessed.mime in EXECUTABLE_MIMES:
        return None, "executable"
    kind = BY_MIME.get(guessed.mime)
    return kind, guessed.mime


def validate_upload(upload) -> CheckedUpload:
    """Check an uploaded file; raise ValidationError with a message for its author."""
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if size > max_size():
        raise ValidationError(
            _("Le fichier pèse %(size)s : la taille maximale est de %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_size())},
            code="too_large",
        )
    kind, seen = detect_kind(upload)
    if seen == "executable":
        raise ValidationError(
            _("Ce fichier est un programme exécutable : il ne peut pas être déposé."),
            code="executable",
        )
    if kind is None:
        raise ValidationError(
            _(
                "Le contenu de ce fichier n'est pas d'un type accepté. Formats acceptés : "
                "PDF, images (PNG, JPEG, WebP, GIF), documents bureautiques (Word, Excel, "
                "PowerPoint, OpenDocument)."
            ),
            code="type",
        )
    extension = _extension(name)
    if extension in TELLING_EXTENSIONS and extension not in kind.extensions:
        raise ValidationError(
            _(
                "Le nom du fichier annonce « .%(ext)s » mais son contenu est de type "
                "%(kind)s : renommez-le avec l'extension « .%(expected)s » ou déposez le bon "
                "fichier."
            )
            % {"ext": extension, "kind": kind.label, "expected": kind.extensions[0]},
            code="mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        kind=kind,
        original_name=sanitise_filename(name, kind=kind),
        size=size,
        sha256=digest.hexdigest(),
    )


def document_attach(document, *, upload, title: str = "", by):
    """Fill a new document row from an upload checked by its content (`validate_upload`)
    and save it with its file, stored under a random name. Any model with the document
    fields will do (title, original_name, content_type, size, sha256, uploaded_by, file):
    initiatives' and contributions' documents. Raises ValidationError (a message for the
    user) and keeps nothing, neither row nor file, when it is refused."""
    checked = validate_upload(upload)
    document.title = ((title or "").strip() or checked.original_name.rsplit(".", 1)[0])[:200]
    document.original_name = checked.original_name
    document.content_type = checked.kind.mime
    document.size = checked.size
    document.sha256 = checked.sha256
    document.uploaded_by = by
    # The stored name is random (the field's upload_to); the uploaded name is unused.
    document.file.save("document", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_remove(document) -> None:
    """Delete a document row, and its file once the transaction has committed."""
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop receiving a file as soon as it exceeds DOCUMENT_MAX_SIZE.

    Without it an oversized upload is written in full to a temporary file before the view
    can refuse it. Skipped files are listed in `request.oversized_uploads`.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        if request is not None:
            request.oversized_uploads = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_size():
            if self.request is not None:
                self.request.oversized_uploads.append(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def file_download(file, *, filename: str, content_type: str, public: bool):
    """A stored file served as an attachment that no browser will render or sniff.

    Raises Http404 when the file is gone from the storage. Shared by every download of
    the portal (initiative and contribution documents, reports).
    """
    from django.http import FileResponse, Http404

    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename or "document", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response
