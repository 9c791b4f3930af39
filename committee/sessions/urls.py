from django.urls import path

from committee.sessions import views

public_urls = [
    path("seances/", views.sessions_index, name="sessions"),
    path("seances/calendrier.ics", views.public_feed, name="sessions_feed"),
    path("seances/mon-agenda/", views.personal_calendar, name="sessions_calendar"),
    path("seances/agenda/<str:token>.ics", views.personal_feed, name="sessions_personal_feed"),
    path("seances/<int:pk>/", views.session_detail, name="session_detail"),
    path("seances/<int:pk>/invitation.ics", views.session_ics, name="session_ics"),
    path("seances/<int:pk>/reponse/", views.session_reply, name="session_reply"),
    path("seances/<int:pk>/remarque/", views.minutes_remark, name="session_minutes_remark"),
    path(
        "seances/<int:pk>/proces-verbal/versions/", views.minutes_diff, name="session_minutes_diff"
    ),
    path(
        "seances/<int:pk>/documents/<int:document_pk>/",
        views.session_document,
        name="session_document",
    ),
]
