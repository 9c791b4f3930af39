"""Creating an initiative: the form says when documents are attached, and saving leads there."""

import pytest

from initiatives.models import Initiative

from .test_workspace import CREATE_URL, form_data, places  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_the_creation_form_says_documents_come_right_after_the_first_save(
    client,
    contributor,
    places,  # noqa: F811 - the fixture imported above
):
    client.force_login(contributor)
    html = client.get(CREATE_URL).content.decode()
    assert "Les documents (PDF, images, documents bureautiques) se joignent juste après" in html

    response = client.post(CREATE_URL, form_data())
    initiative = Initiative.objects.get()
    assert response["Location"] == f"/espace/initiatives/{initiative.pk}/#documents"
    page = client.get(f"/espace/initiatives/{initiative.pk}/").content.decode()
    assert 'id="documents"' in page and 'type="file"' in page

    # The edit form of an existing draft does not repeat it.
    html = client.get(f"/espace/initiatives/{initiative.pk}/modifier/").content.decode()
    assert "se joignent juste après" not in html
