"""Signals of the referentials, for the apps that build on them (which this one never imports)."""

from django.dispatch import Signal

# Sent by territories_load, inside its transaction, with `territory_ids`: the existing
# territories whose name, codes, attachments or population the load changed.
territories_updated = Signal()
