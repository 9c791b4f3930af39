from django.urls import path

app_name = "members"

# Team management (/espace/equipe/), invitations and personal data (/compte/).
urlpatterns: list = []
