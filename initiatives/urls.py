from django.urls import path

from initiatives.catalogue import exports, feeds
from initiatives.views import public, workspace

app_name = "initiatives"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("export.csv", exports.export_csv, name="export_csv"),
    path("export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("export.json", exports.export_json, name="export_json"),
    path("schema.json", exports.schema, name="schema"),
    path("flux.atom", feeds.catalogue_feed, name="feed"),
    # Documents of published initiatives; the view applies the same rule as in the workspace.
    path("documents/<int:pk>/", workspace.document_download, name="document"),
    path("<slug:slug>/", public.detail, name="detail"),
]
