"""Read YAML that rejects duplicate keys, which PyYAML otherwise overwrites."""

from pathlib import Path

import yaml

from screening.errors import RulesError


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings refuse a key given twice."""


def _construct_mapping(loader, node, deep=False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path):
    """Return the parsed content of `path`, or raise RulesError naming the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - strict SafeLoader subclass
    except FileNotFoundError as error:
        raise RulesError(f"{path.name}: file missing") from error
    except yaml.YAMLError as error:
        raise RulesError(f"{path.name}: {error}") from error
