"""French full text on PostgreSQL: accent-insensitive configuration and a trigger-kept vector.

The vector is written by the database itself, so bulk inserts, the admin and every service
get it alike. A trigger rather than a generated column because the vector also carries the
names of the lead collectivity (and its département and région) and of the lead
organisation, which live in other tables. On SQLite nothing here runs: search falls back to
plain `icontains`.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD = r"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END $$;

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

DROP TRIGGER IF EXISTS initiative_search_vector ON initiatives_initiative;
CREATE TRIGGER initiative_search_vector
    BEFORE INSERT OR UPDATE OF title, summary, description, outcomes,
        lead_collectivity_id, lead_organisation_id
    ON initiatives_initiative
    FOR EACH ROW EXECUTE FUNCTION initiative_search_vector_update();

CREATE INDEX IF NOT EXISTS initiative_title_trgm
    ON initiatives_initiative USING gin (title gin_trgm_ops);
CREATE INDEX IF NOT EXISTS territory_name_trgm
    ON referentials_territory USING gin (name gin_trgm_ops);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS territory_name_trgm;
DROP INDEX IF EXISTS initiative_title_trgm;
DROP TRIGGER IF EXISTS initiative_search_vector ON initiatives_initiative;
DROP FUNCTION IF EXISTS initiative_search_vector_update();
DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0004_search_vector")]
    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forward, backward),
    ]
