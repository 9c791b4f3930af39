from django.urls import path

from . import views

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
