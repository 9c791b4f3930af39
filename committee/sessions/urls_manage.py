from django.urls import path

from committee.sessions import manage

app_name = "sessions_admin"

urlpatterns = [
    path("", manage.sessions_admin, name="index"),
    path("representants/", manage.representatives, name="representatives"),
    path("instances/nouvelle/", manage.body_create, name="body_create"),
    path("<int:pk>/", manage.session_admin, name="session"),
    path("<int:pk>/ordre-du-jour/", manage.agenda_item_add, name="agenda_item_add"),
    path("<int:pk>/documents/", manage.document_add, name="document_add"),
    path("<int:pk>/presences/", manage.attendance, name="attendance"),
    path("<int:pk>/proces-verbal/", manage.minutes_save, name="minutes_save"),
    path("<int:pk>/proces-verbal/remarques/", manage.minutes_circulate, name="minutes_circulate"),
    path("<int:pk>/decisions/", manage.decision_add, name="decision_add"),
    path("<int:pk>/<slug:step>/", manage.session_step, name="step"),
]
