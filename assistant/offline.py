"""Process-wide guarantees that nothing reaches the internet at run time.

Called first by the composition root; library imports that read these variables happen
lazily afterwards, so they see them."""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "SCARF_NO_ANALYTICS": "true",
    "TOKENIZERS_PARALLELISM": "false",
    # sentence-transformers/transformers may try to reach the hub for a tokenizer otherwise.
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    # model loading progress bars would interleave with CLI output and JSON lines
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def enforce_offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
