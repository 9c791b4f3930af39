from django.urls import path

app_name = "workspace"

# The association staff's workspace (/espace/).
urlpatterns: list = []
