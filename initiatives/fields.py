"""An initiative's fields by group, written once: the drafting form, the services that write
an initiative and the open-data export all follow these lists."""

# What the initiative is.
DESCRIPTION_FIELDS = ("title", "summary", "description")
# Its dates, means and results.
ACCOUNT_FIELDS = (
    "start_date",
    "end_date",
    "budget",
    "funding_sources",
    "schools_reached",
    "pupils_reached",
    "outcomes",
)
# Who to contact (published only with the contact's consent).
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_consent")
# Who leads it.
LEAD_FIELDS = ("lead_organisation", "lead_collectivity")

# Values the association types in, stored as they are.
TYPED_FIELDS = (*DESCRIPTION_FIELDS, *ACCOUNT_FIELDS, *CONTACT_FIELDS)
# Values the services write on the initiative's row.
SCALAR_FIELDS = (*DESCRIPTION_FIELDS, *LEAD_FIELDS, *ACCOUNT_FIELDS, *CONTACT_FIELDS)
# Its many-to-many relations.
M2M_FIELDS = ("territories", "partners", "axes", "school_levels", "referential_items")
