"""The data files of `referentials/data/`: the COG extract and the production reference data
(axes, signatory organisations, national referentials) that `load_reference_data` writes."""

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(name: str) -> Any:
    """The parsed JSON file `referentials/data/<name>.json`."""
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
