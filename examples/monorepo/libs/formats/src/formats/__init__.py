"""Output formats of the API (only functions/api uses it)."""

import yaml


def as_yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=True)
