from django.urls import path

from initiatives.views import workspace

app_name = "workspace"

# The association staff's workspace (/espace/).
urlpatterns = [
    path("", workspace.dashboard, name="dashboard"),
    path("initiatives/nouvelle/", workspace.initiative_new, name="initiative_create"),
    path("initiatives/<int:pk>/", workspace.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/modifier/", workspace.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/soumettre/", workspace.initiative_submit, name="initiative_submit"),
    path("initiatives/<int:pk>/documents/", workspace.document_upload, name="document_upload"),
    path(
        "initiatives/<int:pk>/documents/<int:document_pk>/supprimer/",
        workspace.document_remove,
        name="document_delete",
    ),
    path("documents/<int:pk>/", workspace.document_download, name="document"),
    path("territoires/", workspace.territories, name="territories"),
]
