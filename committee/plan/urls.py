"""Routes of the plan's management (/pilotage/plan/) and partner (/espace/plan/) pages."""

from django.urls import path

from committee.plan.views import actions, partner_reports, reviews

management_urls = [
    path("", actions.plan_index, name="index"),
    path("actions/nouvelle/", actions.action_create, name="action_create"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/modifier/", actions.action_edit, name="action_edit"),
    path("actions/<int:pk>/jalons/", actions.milestone_add, name="milestone_add"),
    path(
        "actions/<int:pk>/jalons/<int:milestone_pk>/",
        actions.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "actions/<int:pk>/jalons/<int:milestone_pk>/atteint/",
        actions.milestone_reach,
        name="milestone_reach",
    ),
    path("actions/<int:pk>/indicateurs/", actions.indicator_add, name="indicator_add"),
    path(
        "actions/<int:pk>/indicateurs/<int:indicator_pk>/",
        actions.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "actions/<int:pk>/indicateurs/<int:indicator_pk>/valeur/",
        actions.indicator_value,
        name="indicator_value",
    ),
    path("actions/<int:pk>/preuves/", actions.evidence_link, name="evidence_link"),
    path(
        "actions/<int:pk>/preuves/<int:initiative_pk>/retirer/",
        actions.evidence_unlink,
        name="evidence_unlink",
    ),
    path("actions/<int:pk>/journal/", actions.note_add, name="note_add"),
    path("export.xlsx", actions.plan_export, name="export"),
    path("import/", actions.plan_import, name="import"),
    path("comptes-rendus/", partner_reports.reports_inbox, name="reports"),
    path("comptes-rendus/<int:pk>/", partner_reports.report_detail, name="report"),
    path("comptes-rendus/<int:pk>/decision/", partner_reports.report_decide, name="report_decide"),
    path("revues/", reviews.reviews_index, name="reviews"),
    path("revues/ouvrir/", reviews.review_open, name="review_open"),
    path("revues/comparer/", reviews.reviews_compare, name="reviews_compare"),
    path("revues/<int:pk>/", reviews.review_detail, name="review"),
    path(
        "revues/<int:pk>/actions/<int:action_pk>/",
        reviews.assessment_set,
        name="assessment_set",
    ),
    path("revues/<int:pk>/cloturer/", reviews.review_close, name="review_close"),
]

partner_urls = [
    path("", partner_reports.partner_index, name="index"),
    path("actions/<int:pk>/compte-rendu/", partner_reports.partner_report_new, name="report_new"),
    path("comptes-rendus/<int:pk>/", partner_reports.partner_report_detail, name="report"),
]
