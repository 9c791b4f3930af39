"""The operator's information on the legal pages, and the contact form to the secretariat."""

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Notification

pytestmark = pytest.mark.django_db

MESSAGE = {
    "subject": "Une question sur le plan d'action",
    "message": "Bonjour, où trouver le calendrier des revues du plan ?",
    "email": "elue@mairie-exemple.fr",
    "site_web": "",
}


@pytest.fixture(autouse=True)
def _operator(settings):
    settings.PUBLICATION_DIRECTOR = "Camille Martin, directrice du numérique pour l'éducation"
    settings.HOSTING_PROVIDER = "Hébergeur public|1 rue de l'Exemple, 75000 Paris"
    settings.CONTACT_EMAIL = "secretariat@comite.example.fr"
    settings.ACCESSIBILITY_CONTACT = "accessibilite@comite.example.fr"
    settings.CONTACT_MESSAGES_PER_HOUR = 2


def test_the_legal_notice_names_the_publication_director_and_the_host(client):
    page = client.get("/mentions-legales/").content.decode()
    assert "Camille Martin, directrice du numérique pour l&#x27;éducation" in page
    assert "Hébergeur public<br>1 rue de l&#x27;Exemple, 75000 Paris" in page
    assert 'href="/contact/"' in page
    assert "compléter" not in page


def test_the_accessibility_statement_gives_its_contact(client, settings):
    page = client.get("/accessibilite/").content.decode()
    assert 'href="mailto:accessibilite@comite.example.fr"' in page
    assert "compléter" not in page

    settings.ACCESSIBILITY_CONTACT = "https://comite.example.fr/formulaire-accessibilite"
    page = client.get("/accessibilite/").content.decode()
    assert 'href="https://comite.example.fr/formulaire-accessibilite"' in page


def test_every_page_links_to_the_contact_form(client):
    assert 'href="/contact/"' in client.get("/").content.decode()


def test_a_message_reaches_the_secretariat_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact"), MESSAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("contact_sent")
    notification = Notification.objects.get(kind="contact")
    assert notification.email == "secretariat@comite.example.fr"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["secretariat@comite.example.fr"]
    assert email.subject == "[Contact] Une question sur le plan d'action"
    assert email.reply_to == [] and email.extra_headers["Reply-To"] == "elue@mairie-exemple.fr"
    assert "où trouver le calendrier des revues du plan ?" in email.body
    page = client.get(response["Location"]).content.decode()
    assert "Votre message a été transmis au secrétariat du comité" in page


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"email": "pas-une-adresse"}, "Indiquez une adresse électronique valide"),
        ({"email": ""}, "Indiquez votre adresse électronique pour que nous puissions"),
        ({"subject": ""}, "Indiquez l&#x27;objet de votre message."),
        ({"message": "court"}, "Votre message est trop court"),
        ({"message": "x" * 5001}, "Votre message dépasse 5 000 caractères"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_lost_nor_sent(client, change, error):
    response = client.post(reverse("contact"), {**MESSAGE, **change})

    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "Le formulaire contient des erreurs" in page
    kept = {**MESSAGE, **change}
    if len(kept["message"]) < 100:
        assert kept["message"].replace("'", "&#x27;") in page
    assert not Notification.objects.filter(kind="contact").exists()


def test_robots_filling_the_honeypot_are_thanked_and_nothing_is_sent(client):
    response = client.post(reverse("contact"), {**MESSAGE, "site_web": "http://spam.example"})

    assert response.status_code == 302
    assert not Notification.objects.filter(kind="contact").exists()


def test_too_many_messages_are_refused_with_the_message_kept(client):
    for _ in range(2):
        assert client.post(reverse("contact"), MESSAGE).status_code == 302

    response = client.post(reverse("contact"), MESSAGE)

    assert response.status_code == 429
    page = response.content.decode()
    assert "réessayez dans une heure" in page
    assert "où trouver le calendrier des revues du plan ?" in page
    assert Notification.objects.filter(kind="contact").count() == 2


def test_the_allowance_counts_per_sender_address_too(client):
    for number in range(2):
        client.post(reverse("contact"), MESSAGE, REMOTE_ADDR=f"10.0.0.{number}")
    response = client.post(reverse("contact"), MESSAGE, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429


def test_the_contact_page_answers_head_and_refuses_other_methods(client):
    assert client.head(reverse("contact")).status_code == 200
    assert client.put(reverse("contact")).status_code == 405
