"""The .ics files read back with icalendar: 09:00 Paris time is 09:00 in winter and summer."""

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from committee.sessions import ics, services
from committee.sessions.texts import when_text

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(datetime.date(2031, 1, 14), 8), (datetime.date(2031, 7, 15), 7)],
    ids=["hiver", "été"],
)
def test_nine_o_clock_in_paris_is_nine_in_the_ics_and_on_the_page(
    body, secretariat, client, day, utc_hour
):
    start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=PARIS)
    session = services.session_create(
        by=secretariat,
        data=services.SessionData(
            body=body,
            title="Séance",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            is_public=True,
        ),
    )
    services.session_convene(by=secretariat, session=session)
    session.refresh_from_db()
    assert session.starts_at.astimezone(datetime.UTC).hour == utc_hour

    calendar = Calendar.from_ical(ics.invitation(session))
    event = calendar.walk("VEVENT")[0]
    dtstart = event["dtstart"]
    assert dtstart.params["TZID"] == "Europe/Paris"
    assert (dtstart.dt.hour, dtstart.dt.minute) == (9, 0)
    assert dtstart.dt.utcoffset() == datetime.timedelta(hours=utc_hour and (9 - utc_hour))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]

    response = client.get(f"/seances/{session.pk}/invitation.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")[0]["dtstart"].dt.hour == 9
    page = client.get(f"/seances/{session.pk}/").content.decode()
    assert "de 9 h à 12 h" in page


def test_the_first_of_the_month_is_written_1er():
    start = datetime.datetime(2026, 10, 1, 9, 30, tzinfo=PARIS)
    assert (
        when_text(start, start + datetime.timedelta(hours=2))
        == "jeudi 1er octobre 2026 de 9 h 30 à 11 h 30"
    )
