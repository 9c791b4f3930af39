"""Production reference data: the six axes, the charter's signatory organisations and the
national referentials, read from the data files of `referentials/data/` and written
idempotently (`manage.py load_reference_data`). The demo builds on it; it holds no example."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from committee.axes import Axis
from members.models import Organisation
from referentials.datafiles import data_file
from referentials.models import Referential, ReferentialItem


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def upsert(model, lookup: dict, values: dict):
    """get-or-create on the natural key `lookup`, saving only if a value differs.

    `update_or_create` saves every time, which bumps `auto_now` fields and writes history
    rows; loading the same data twice must leave rows exactly as they were.
    Returns (object, created, changed); the caller saves when `changed`.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model(**lookup, **values), True, True
    changed = False
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        if model_field.is_relation:
            current, wanted = getattr(obj, model_field.attname), value.pk if value else None
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed = True
    return obj, False, changed


def save(model, lookup: dict, values: dict, *, overwrite: bool = True):
    """Write `values` on the row of natural key `lookup`; with `overwrite` off, an existing
    row is left as it is (edited by the secretariat since it was loaded)."""
    if not overwrite:
        existing = model._default_manager.filter(**lookup).first()
        if existing is not None:
            return existing
    obj, _created, changed = upsert(model, lookup, values)
    if changed:
        obj.save()
    return obj


@dataclass
class ReferenceData:
    axes: dict[int, Axis]
    organisations: dict[str, Organisation]
    # In-force referential items by "slug:code".
    items: dict[str, ReferentialItem]


@transaction.atomic
def reference_data_load(*, overwrite: bool = False) -> ReferenceData:
    """Create what is missing; with `overwrite`, also restore the files' values on rows
    edited since (the demo does; a deploy does not, so the secretariat's edits stay)."""
    return ReferenceData(
        axes=axes_load(overwrite=overwrite),
        organisations=organisations_load(overwrite=overwrite),
        items=referentials_load(overwrite=overwrite),
    )


def axes_load(*, overwrite: bool) -> dict[int, Axis]:
    """The six axes of the charter (also written by a data migration; this repairs edits)."""
    return {
        axis["number"]: save(
            Axis,
            {"number": axis["number"]},
            {"title": axis["title"], "short_title": axis["short_title"], "slug": axis["slug"]},
            overwrite=overwrite,
        )
        for axis in data_file("axes")
    }


def organisations_load(*, overwrite: bool) -> dict[str, Organisation]:
    data = data_file("organisations")
    signed_on = _date(data["charter_signed_on"])
    organisations = {}
    for organisation in data["organisations"]:
        values = {k: v for k, v in organisation.items() if k != "acronym"}
        values["charter_signed_on"] = signed_on
        organisations[organisation["acronym"]] = save(
            Organisation, {"acronym": organisation["acronym"]}, values, overwrite=overwrite
        )
    return organisations


def referentials_load(*, overwrite: bool) -> dict[str, ReferentialItem]:
    """Each referential version and its items; returns the in-force items by "slug:code"."""
    in_force: dict[str, ReferentialItem] = {}
    # Archived versions first, so that one version at most is in force at any time.
    ordered = sorted(
        data_file("referentials"), key=lambda r: r["status"] == Referential.Status.IN_FORCE
    )
    for data in ordered:
        referential = save(
            Referential,
            {"slug": data["slug"], "version": data["version"]},
            {
                "kind": data["kind"],
                "name": data["name"],
                "status": data["status"],
                "description": data["description"],
                "source_url": data["source_url"],
                "in_force_from": _date(data["in_force_from"]),
            },
            overwrite=overwrite,
        )
        keep = data["status"] == Referential.Status.IN_FORCE
        for position, item in enumerate(data["items"]):
            parent = _item_save(
                referential, item, parent=None, position=position, overwrite=overwrite
            )
            if keep:
                in_force[f"{data['slug']}:{item['code']}"] = parent
            for child_position, child in enumerate(item["children"]):
                saved = _item_save(
                    referential, child, parent=parent, position=child_position, overwrite=overwrite
                )
                if keep:
                    in_force[f"{data['slug']}:{child['code']}"] = saved
    return in_force


def _item_save(
    referential, item: dict, *, parent, position: int, overwrite: bool
) -> ReferentialItem:
    return save(
        ReferentialItem,
        {"referential": referential, "code": item["code"]},
        {
            "label": item["label"],
            "description": item["description"],
            "parent": parent,
            "depth": 0 if parent is None else 1,
            "position": position,
        },
        overwrite=overwrite,
    )
