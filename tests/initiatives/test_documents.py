"""Documents: types judged from their bytes, sizes capped, stored privately, served safely."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from initiatives.documents import sanitise_filename, validate_upload
from initiatives.models import Document, Initiative
from initiatives.notifications import Kinds
from members.models import Event
from tests import factories as f
from tests.mfa import with_totp

pytestmark = pytest.mark.django_db

S = Initiative.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _put(archive: zipfile.ZipFile, name: str, data: str, **kwargs) -> None:
    """An entry with a fixed date: the same bytes every time (the test ids are made of
    them, and parallel workers must collect the same ids)."""
    archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, **kwargs)


def ooxml(main_part: str, folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _put(
            archive,
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/x" ContentType="' + main_part + '"/></Types>',
        )
        _put(archive, "_rels/.rels", "<Relationships/>")
        _put(archive, f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


DOCX = ooxml(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word"
)
DOCM = ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word")


def odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _put(archive, "mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        _put(archive, "content.xml", "<x/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _put(archive, "notes.txt", "rien")
    return buffer.getvalue()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def initiative_of(organisation, status=S.DRAFT):
    return f.InitiativeFactory(
        lead_organisation=organisation,
        status=status,
        published_at=timezone.now() if status == S.PUBLISHED else None,
    )


def attach(initiative, content=PDF, *, name="rapport.pdf", is_public=True):
    document = Document(
        initiative=initiative,
        title="Rapport",
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        is_public=is_public,
    )
    document.file.save("x", ContentFile(content), save=False)
    document.save()
    return document


def finish(response) -> bytes:
    """Read a download to its end: the test client then closes the file (response.close()
    called directly would also close the test's database connection)."""
    return b"".join(response.streaming_content)


def upload(client, initiative, content, name, **extra):
    return client.post(
        f"/espace/initiatives/{initiative.pk}/documents/",
        {"file": SimpleUploadedFile(name, content), "title": "", "is_public": "on", **extra},
    )


# --- Upload -----------------------------------------------------------------------------------


def test_a_valid_pdf_is_stored_under_a_random_name(client, association, contributor, settings):
    initiative = initiative_of(association)
    client.force_login(contributor)

    response = upload(client, initiative, PDF, "Compte rendu.pdf")

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "application/pdf"
    assert document.original_name == "Compte rendu.pdf"
    assert document.title == "Compte rendu"
    assert document.size == len(PDF)
    assert len(document.sha256) == 64
    assert document.uploaded_by == contributor
    assert document.file.name.startswith(f"documents/{initiative.pk}/")
    assert "Compte" not in document.file.name
    assert [p.read_bytes() for p in stored_files(settings)] == [PDF]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PDF * 30, "gros.pdf", "taille maximale"),
        (EXE, "facture.pdf", "exécutable"),
        (b"#!/bin/sh\nrm -rf /\n", "script.pdf", "exécutable"),
        (b"", "vide.pdf", "vide"),
        (b"Ceci est un simple texte.\n", "lettre.docx", "type accepté"),
        (plain_zip(), "archive.docx", "type accepté"),
        (DOCM, "macro.docx", "type accepté"),
        (PNG, "image.pdf", "« .pdf »"),
        (b"<svg onload=alert(1)></svg>", "logo.svg", "type accepté"),
        (b"<html><script>alert(1)</script></html>", "page.pdf", "type accepté"),
    ],
    ids=[
        "oversized",
        "disguised-executable",
        "shell-script",
        "zero-bytes",
        "text-named-docx",
        "zip-named-docx",
        "macro-enabled-word",
        "png-named-pdf",
        "svg",
        "html",
    ],
)
def test_abusive_uploads_are_refused_and_nothing_is_written(
    client, association, contributor, settings, content, name, message
):
    settings.DOCUMENT_MAX_SIZE = 1500
    initiative = initiative_of(association)
    client.force_login(contributor)

    response = upload(client, initiative, content, name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'href="#id_file"' in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_upload_is_not_read_to_its_end(
    client, association, contributor, settings, monkeypatch
):
    from initiatives import documents

    settings.DOCUMENT_MAX_SIZE = 1000
    received = []
    receive = documents.SizeLimitUploadHandler.receive_data_chunk

    def counting(handler, raw_data, start):
        received.append(len(raw_data))
        return receive(handler, raw_data, start)

    monkeypatch.setattr(documents.SizeLimitUploadHandler, "receive_data_chunk", counting)
    client.force_login(contributor)

    response = upload(client, initiative_of(association), PDF * 50_000, "enorme.pdf")

    assert "taille maximale" in response.content.decode()
    assert sum(received) < len(PDF) * 50_000 / 10
    assert not Document.objects.exists()


def test_path_traversal_in_the_name_reaches_neither_the_disk_nor_the_download(
    client, association, contributor, settings
):
    initiative = initiative_of(association)
    client.force_login(contributor)

    upload(client, initiative, PDF, "../../etc/passwd.pdf")

    document = Document.objects.get()
    assert document.original_name == "passwd.pdf"
    assert ".." not in document.file.name
    files = stored_files(settings)
    assert len(files) == 1
    assert Path(settings.MEDIA_ROOT) in files[0].parents
    assert files[0].parent.name == str(initiative.pk)


ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (PNG, "photo.png", "image/png"),
        (DOCX, "note.docx", WORD),
        (odf(ODT), "note.odt", ODT),
        (odf(ODS), "budget", ODS),
    ],
)
def test_images_and_office_files_are_accepted(
    client, association, contributor, content, name, mime
):
    initiative = initiative_of(association)
    client.force_login(contributor)

    upload(client, initiative, content, name)

    document = Document.objects.get()
    assert document.content_type == mime
    assert document.original_name.split(".")[-1] in {"png", "docx", "odt", "ods"}


def test_a_private_document_is_marked_so(client, association, contributor):
    initiative = initiative_of(association)
    client.force_login(contributor)

    client.post(
        f"/espace/initiatives/{initiative.pk}/documents/",
        {"file": SimpleUploadedFile("a.pdf", PDF), "title": "Budget détaillé"},
    )

    document = Document.objects.get()
    assert document.is_public is False
    assert document.title == "Budget détaillé"


def test_an_upload_without_a_file_is_refused_with_a_message(client, association, contributor):
    initiative = initiative_of(association)
    client.force_login(contributor)

    response = client.post(f"/espace/initiatives/{initiative.pk}/documents/", {"title": "x"})

    assert "Choisissez un fichier" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.PUBLISHED])
def test_documents_are_frozen_for_the_association_once_submitted(
    client, association, contributor, settings, status
):
    initiative = initiative_of(association, status)
    kept = attach(initiative)
    client.force_login(contributor)

    added = upload(client, initiative, PDF, "a.pdf")
    removed = client.post(f"/espace/initiatives/{initiative.pk}/documents/{kept.pk}/supprimer/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(Document.objects.all()) == [kept]


def test_the_secretariat_adds_a_document_to_a_published_initiative_and_it_is_recorded(
    client, association, secretariat
):
    initiative = initiative_of(association, S.PUBLISHED)
    client.force_login(with_totp(secretariat))

    upload(client, initiative, PDF, "a.pdf")

    assert Document.objects.filter(initiative=initiative).count() == 1
    event = Event.objects.get(kind=Kinds.EDITED)
    assert event.data["fields"] == ["documents"]


def test_a_document_is_deleted_with_its_file(
    client, association, contributor, settings, django_capture_on_commit_callbacks
):
    initiative = initiative_of(association, S.CHANGES_REQUESTED)
    document = attach(initiative)
    client.force_login(contributor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/espace/initiatives/{initiative.pk}/documents/{document.pk}/supprimer/"
        )

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_deleting_by_get_changes_nothing(client, association, contributor):
    initiative = initiative_of(association)
    document = attach(initiative)
    client.force_login(contributor)

    response = client.get(f"/espace/initiatives/{initiative.pk}/documents/{document.pk}/supprimer/")

    assert response.status_code == 405
    assert Document.objects.filter(pk=document.pk).exists()


# --- Download ---------------------------------------------------------------------------------


def test_the_association_downloads_its_document_as_an_attachment(client, association, contributor):
    document = attach(initiative_of(association), name="Réunion du 3 mars.pdf")
    client.force_login(contributor)

    response = client.get(f"/espace/documents/{document.pk}/")

    assert response.status_code == 200
    assert finish(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''R%C3%A9union%20du%203%20mars.pdf" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.PUBLISHED])
def test_officials_download_documents_of_submitted_initiatives(
    client, association, reviewer, status
):
    document = attach(initiative_of(association, status), is_public=False)
    client.force_login(with_totp(reviewer))

    response = client.get(f"/espace/documents/{document.pk}/")

    assert response.status_code == 200
    finish(response)


def test_officials_do_not_download_documents_of_drafts(client, association, reviewer):
    document = attach(initiative_of(association))
    client.force_login(with_totp(reviewer))

    assert client.get(f"/espace/documents/{document.pk}/").status_code == 404


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED])
def test_documents_of_unpublished_initiatives_are_hidden_from_others(
    client, association, other_contributor, status
):
    document = attach(initiative_of(association, status))

    anonymous = client.get(f"/initiatives/documents/{document.pk}/")
    client.force_login(other_contributor)
    other = client.get(f"/espace/documents/{document.pk}/")

    assert (anonymous.status_code, other.status_code) == (404, 404)


def test_public_documents_of_published_initiatives_are_downloadable_by_anyone(client, association):
    initiative = initiative_of(association, S.PUBLISHED)
    public = attach(initiative)
    private = attach(initiative, is_public=False)

    response = client.get(f"/initiatives/documents/{public.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    finish(response)
    assert client.get(f"/initiatives/documents/{private.pk}/").status_code == 404


def test_the_public_page_links_to_the_public_download(client, association):
    initiative = initiative_of(association, S.PUBLISHED)
    document = attach(initiative)

    response = client.get(f"/initiatives/{initiative.slug}/")

    assert f'href="/initiatives/documents/{document.pk}/"' in response.content.decode()


def test_guessing_document_numbers_reveals_nothing(client, contributor):
    client.force_login(contributor)

    assert client.get("/espace/documents/987654/").status_code == 404
    assert client.get("/initiatives/documents/987654/").status_code == 404


def test_media_files_are_not_served_at_their_storage_address(client, association, settings):
    document = attach(initiative_of(association, S.PUBLISHED))

    response = client.get(settings.MEDIA_URL + document.file.name)

    assert response.status_code == 404


# --- The checks themselves ----------------------------------------------------------------------


def test_legacy_word_files_are_recognised():
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"\xec\xa5\xc1\x00" + b"\x00" * 600
    )

    checked = validate_upload(SimpleUploadedFile("ancien.doc", header))

    assert checked.kind.mime == "application/msword"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\camille\\rapport.pdf", "rapport.pdf"),
        ("..pdf", "pdf.pdf"),
        ("rapport\x00.exe.pdf", "rapport.exe.pdf"),
        ("Compte rendu 12.03.2024", "Compte rendu 12.03.2024.pdf"),
        ('"><script>.pdf', "___script_.pdf"),
        ("a" * 400 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_original_names_are_sanitised(name, expected):
    from initiatives.documents import PDF as PDF_KIND

    cleaned = sanitise_filename(name, kind=PDF_KIND)

    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert "<" not in cleaned and '"' not in cleaned
    assert len(cleaned) <= 255
    assert cleaned == expected
