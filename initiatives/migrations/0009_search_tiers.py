"""The trigger also writes the title vector and the title + summary vector; the search
vector stays in the row.

They decide the relevance tiers of a search (all the words in the title, then in the title
or the summary, then anywhere): small vectors with their own GIN indexes, so that the first
page of a search for a word found in most rows reads a few rows, not all of them.
"""

import importlib

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION initiative_search_vector_update() RETURNS trigger AS $$
DECLARE
    places text;
    organisation text;
BEGIN
    SELECT concat_ws(' ', t.name, d.name, r.name) INTO places
      FROM referentials_territory t
      LEFT JOIN referentials_territory d ON d.level = 'department' AND d.code = t.department_code
      LEFT JOIN referentials_territory r ON r.level = 'region' AND r.code = t.region_code
     WHERE t.id = NEW.lead_collectivity_id;
    SELECT concat_ws(' ', o.acronym, o.name) INTO organisation
      FROM members_organisation o WHERE o.id = NEW.lead_organisation_id;
    NEW.title_vector := to_tsvector('french_unaccent', coalesce(NEW.title, ''));
    NEW.head_vector := to_tsvector('french_unaccent',
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.summary, ''));
    NEW.search_vector :=
        setweight(to_tsvector('french_unaccent', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('french_unaccent', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('french_unaccent',
               coalesce(NEW.description, '') || ' ' || coalesce(NEW.outcomes, '')), 'C')
        || setweight(to_tsvector('french_unaccent',
               coalesce(places, '') || ' ' || coalesce(organisation, '')), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- Kept in the row (compressed) rather than in the TOAST table: a full-text condition
-- tested on most rows (a common word, for facet counts) reads them 3 to 4 times faster.
ALTER TABLE initiatives_initiative ALTER COLUMN search_vector SET STORAGE MAIN;

-- Fires the trigger: the three vectors are written again, stored as just said.
UPDATE initiatives_initiative SET title = title;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    """Back to the function of migration 0005, which writes search_vector only."""
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("initiatives.migrations.0005_search_setup")
        schema_editor.execute(previous.FORWARD)
        schema_editor.execute(
            "ALTER TABLE initiatives_initiative ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0008_catalogue_columns")]
    operations = [migrations.RunPython(forward, backward)]
