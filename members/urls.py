from django.urls import path

from members import views
from members.notifications import views as notification_views

app_name = "members"

# Team management (/espace/equipe/), invitations and personal data (/compte/).
urlpatterns = [
    path("espace/equipe/", views.team, name="team"),
    path("espace/equipe/inviter/", views.team_invite, name="team_invite"),
    path("espace/equipe/membres/<int:pk>/role/", views.member_role, name="member_role"),
    path("espace/equipe/membres/<int:pk>/retirer/", views.member_revoke, name="member_revoke"),
    path(
        "espace/equipe/invitations/<int:pk>/annuler/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("compte/", views.account, name="account"),
    path("compte/donnees.json", views.account_data, name="account_data"),
    path("compte/supprimer/", views.account_delete, name="account_delete"),
]

# Notifications: the centre, preferences and one-click unsubscribe (members.notifications).
urlpatterns += [
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/lue/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/tout-lu/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/desabonner/<str:token>/",
        notification_views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
]
