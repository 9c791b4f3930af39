from django.urls import path

app_name = "review"

# The officials' review (/instruction/).
urlpatterns: list = []
