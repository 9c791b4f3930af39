"""Dates, sizes and document kinds as a careful French public site writes them.

"1er septembre 2025" (not "1 septembre"), "17 août 2025" (not "17 Aoû 2025"), "PDF – 6,2 Ko"
(not "application/pdf – 6,2 Kio"). In English the same values read "1 September 2025" and
"PDF – 6.2 KB". Templates use them as the built-in filters `long_date`, `long_datetime` and
`document_kind` (members.templatetags.dates).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _french() -> bool:
    return (get_language() or "fr").lower().startswith("fr")


def long_date(value, *, year: bool = True) -> str:
    """`1er septembre 2025`, `17 août 2025`; "" for no date."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = date_format(value, "j F Y" if year else "j F")
    if _french() and value.day == 1:
        text = "1er" + text[1:]
    return text


def long_datetime(value, *, year: bool = True) -> str:
    """`1er décembre 2026 à 09:30` (local time)."""
    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    joined = "{date} à {time}" if _french() else "{date} at {time}"
    return joined.format(date=long_date(value, year=year), time=time_format(value, "H:i"))


KINDS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/svg+xml": "SVG",
    "text/plain": "TXT",
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/zip": "ZIP",
    "application/msword": "DOC",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
}


def file_size(size: int | None) -> str:
    """`6,2 Ko`, `1,5 Mo`, `820 octets` (in English `6.2 KB`, `820 bytes`)."""
    size = int(size or 0)
    french = _french()
    units = ["Ko", "Mo", "Go"] if french else ["KB", "MB", "GB"]
    if size < 1024:
        word = ("octet" if french else "byte") + ("s" if size > 1 else "")
        return f"{size}\u00a0{word}"
    value = float(size)
    for unit in units:
        value /= 1024
        if value < 1024 or unit == units[-1]:
            decimals = 0 if value >= 100 else 1
            return f"{number_format(round(value, decimals), decimals)}\u00a0{unit}"
    return ""  # pragma: no cover - the loop always returns


def document_kind(content_type: str | None, size: int | None = None) -> str:
    """`PDF – 6,2 Ko`: the kind a reader knows, then the size."""
    kind = KINDS.get((content_type or "").split(";")[0].strip().lower())
    if kind is None:
        subtype = (content_type or "").rsplit("/", 1)[-1].split("+")[0]
        kind = subtype.upper() or _("Fichier")
    return kind if size is None else f"{kind} – {file_size(size)}"
