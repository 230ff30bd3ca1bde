"""Refuse a JSON object that names a key twice: json.loads, msgspec and ijson all keep the last silently.

`"calf_swelling": true, "calf_swelling": false` would read as no red flag.
`unique_object` is an `object_pairs_hook` for json.load(s) that raises
DuplicateKey; `KeyRecordingDict` is a `map_type` for ijson (whose C backend
cannot raise from inside the builder) that records the repeats, and
`repeated_keys` finds them in the built value, by field path.
"""


class DuplicateKey(ValueError):
    """A JSON object names `key` twice."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"the key {key!r} appears twice in one object")


def unique_object(pairs: list[tuple[str, object]]) -> dict:
    """An object's members as a dict; a key given twice raises DuplicateKey."""
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return members


class KeyRecordingDict(dict):
    """A dict that notes every key set twice (in `repeated`); ijson builds objects with it."""

    __slots__ = ("repeated",)
    repeated: list[str]

    def __setitem__(self, key, value) -> None:
        if key in self:
            try:
                self.repeated.append(key)
            except AttributeError:
                self.repeated = [key]
        dict.__setitem__(self, key, value)


def repeated_keys(value, prefix: str = "") -> dict[str, list[str]]:
    """{field path: [message]} for every key given twice in `value`'s KeyRecordingDicts."""
    found: dict[str, list[str]] = {}
    if isinstance(value, dict):
        for key in getattr(value, "repeated", ()):
            found[f"{prefix}{key}"] = ["Given more than once in one object: give each field once."]
        for key, item in value.items():
            found.update(repeated_keys(item, f"{prefix}{key}."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(repeated_keys(item, f"{prefix}{index}."))
    return found
