"""OpenAPI schema post-processing: the error answers every operation can give.

drf-spectacular documents the successful answer of each operation; the refusals come from
DRF itself (a parameter refused, a page or an object that does not exist). They are added
here once for every read operation, so that a client knows every status code it can meet.
"""

import re

from django.utils.translation import gettext as _

ERROR = {
    "type": "object",
    "description": "Réponse d'erreur : le motif en français.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
PARAMETER_ERRORS = {
    "type": "object",
    "description": "Paramètres refusés : pour chacun, le ou les motifs.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


NO_NUL = "^[^\\u0000]*$"
TEXT_LIMIT = 100  # committee.api.common.text_param
TEXT_LIMITS = {("/api/v1/actions/", "partner"): 30}


def _response(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def add_error_responses(result, generator, request, public):
    """400 on lists (a filter, `page` or `page_size` refused), 404 everywhere (an unknown
    object, or a page beyond the last). Query parameters may be sent empty: the API reads
    an empty value as an absent one, as HTML forms send them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ParameterErrors"] = PARAMETER_ERRORS
    # The codes accepted are data: only the schema served for a request lists them, not one
    # generated offline (`manage.py spectacular`, the deployment checks), which may run
    # without the database.
    catalogue = _catalogue_values() if request is not None else {}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method != "get":
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                if parameter["in"] != "query":
                    continue
                parameter["allowEmptyValue"] = True
                schema = parameter["schema"]
                if path == "/api/v1/initiatives/":
                    schema.update(catalogue.get(parameter["name"], {}))
                if schema.get("type") == "string" and "enum" not in schema:
                    # Text parameters: bounded, and never a NUL byte (no database text
                    # holds one); views refuse both with a 400.
                    schema.setdefault("pattern", NO_NUL)
                    schema.setdefault(
                        "maxLength", TEXT_LIMITS.get((path, parameter["name"]), TEXT_LIMIT)
                    )
            if "page" in {parameter["name"] for parameter in parameters}:
                responses["400"] = _response(_("Paramètre refusé."), "ParameterErrors")
                responses["404"] = _response(
                    _("Page au-delà de la dernière, ou aucun territoire ne correspond."), "Error"
                )
            else:
                responses["404"] = _response(_("Objet inconnu."), "Error")
    return result


def _catalogue_values() -> dict[str, dict]:
    """The values the catalogue's filters accept, read from the reference data (the codes of
    régions and départements, school levels, the partners' acronyms in any case, years)."""
    from initiatives.catalogue.choices import catalogue_choices
    from initiatives.catalogue.filters import COMMUNE_CODE, ITEM_CODE, MAX_QUERY_LENGTH
    from initiatives.catalogue.territories import TERRITORY_TEXT_MAX

    choices = catalogue_choices()
    acronyms = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in acronym)
        for acronym, _name in choices.partners
    )
    values = {
        "q": {"maxLength": MAX_QUERY_LENGTH},
        "territory": {"maxLength": TERRITORY_TEXT_MAX},
        "commune": {"pattern": COMMUNE_CODE},
        "item": {"pattern": ITEM_CODE, "maxLength": 30},
        "year": {"minimum": min(choices.years), "maximum": max(choices.years)},
    }
    # An OpenAPI enum cannot be empty (an empty reference table accepts nothing anyway).
    enums = {
        "region": [code for code, _name in choices.regions],
        "department": [code for code, _name in choices.departments],
        "school_level": [code for code, _label in choices.school_levels],
    }
    values.update({name: {"enum": codes} for name, codes in enums.items() if codes})
    if acronyms:
        values["partner"] = {"pattern": f"^({acronyms})$"}
    return values
