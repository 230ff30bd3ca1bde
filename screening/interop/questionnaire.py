"""The intake as a FHIR R4 Questionnaire, generated from the item specs (so from the marshmallow schema).

One item per contract field, `linkId` = its dotted path; groups for the
sections; `training.weekly_distance` a repeating decimal (1-12 answers, the
questionnaire-minOccurs/maxOccurs extensions); bounds as minValue/maxValue;
choices as answerOption codings; units (UCUM) from the ruleset's input
metadata in the questionnaire-unit extension. A distance's unit is whatever
`training.unit` says, so distances carry no fixed unit (their text says so).
"""

from screening.interop import codes
from screening.interop.items import ItemSpec, intake_items

# The ruleset's unit words -> UCUM. Words not listed get no unit extension.
UCUM_UNITS = {
    "years": ("a", "years"),
    "weeks": ("wk", "weeks"),
    "days": ("d", "days"),
    "sessions/week": ("/wk", "per week"),
    "reps": ("{reps}", "repetitions"),
    "0-10": ("{score}", "score 0-10"),
}
NULL_MEANS = "Leave unanswered if not tested."


def questionnaire(version: str, units: dict[str, str | None] | None = None, items: tuple[ItemSpec, ...] = ()) -> dict:
    """The Questionnaire resource (a dict), versioned with the ruleset; `units` maps linkIds to its unit words."""
    units = units or {}
    return {
        "resourceType": "Questionnaire",
        "id": codes.QUESTIONNAIRE_ID,
        "url": codes.QUESTIONNAIRE_URL,
        "version": version,
        "name": "SoleusIntake",
        "title": "Soleus (calf) strain risk screening: runner intake",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Generated from the soleus-screen intake schema: every item's linkId is the intake field's dotted "
            "path. Answer with a QuestionnaireResponse and POST it to QuestionnaireResponse/$screen."
        ),
        "item": [_item(spec, units) for spec in (items or intake_items())],
    }


def _item(spec: ItemSpec, units: dict[str, str | None]) -> dict:
    text = spec.text
    if spec.nullable:
        text = f"{text}. {NULL_MEANS}"
    unit = units.get(spec.link_id)
    item: dict = {"linkId": spec.link_id, "text": text, "type": spec.kind, "required": spec.required}
    if spec.repeats:
        item["repeats"] = True
    if spec.link_id in codes.PAIN_SEVERITY_ITEMS:
        item["code"] = [dict(codes.PAIN_SEVERITY_0_10)]
    extensions = _extensions(spec, unit)
    if extensions:
        item["extension"] = extensions
    if spec.choices:
        system = codes.STANDARD_ANSWER_SYSTEMS.get(spec.link_id, codes.ANSWER_SYSTEM + spec.link_id)
        item["answerOption"] = [_option(system, choice, spec.initial) for choice in spec.choices]
    elif spec.initial is not None:
        item["initial"] = [{_value_key(spec.kind): spec.initial}]
    if spec.children:
        item["item"] = [_item(child, units) for child in spec.children]
    return item


def _extensions(spec: ItemSpec, unit: str | None) -> list[dict]:
    found = []
    number = "valueInteger" if spec.kind == "integer" else "valueDecimal"
    if spec.minimum is not None:
        found.append({"url": codes.MIN_VALUE, number: spec.minimum})
    if spec.maximum is not None:
        found.append({"url": codes.MAX_VALUE, number: spec.maximum})
    if spec.min_occurs is not None:
        found.append({"url": codes.MIN_OCCURS, "valueInteger": spec.min_occurs})
    if spec.max_occurs is not None:
        found.append({"url": codes.MAX_OCCURS, "valueInteger": spec.max_occurs})
    if spec.pattern is not None:
        found.append({"url": codes.REGEX, "valueString": spec.pattern})
    if unit in UCUM_UNITS:
        code, display = UCUM_UNITS[unit]
        found.append({"url": codes.UNIT, "valueCoding": {"system": codes.UCUM, "code": code, "display": display}})
    return found


def _option(system: str, choice, initial) -> dict:
    option: dict = {"valueCoding": {"system": system, "code": choice.code, "display": choice.display}}
    if isinstance(choice.value, int):
        option["extension"] = [{"url": codes.ORDINAL_VALUE, "valueDecimal": choice.value}]
    if initial is not None and choice.value == initial:
        option["initialSelected"] = True
    return option


def _value_key(kind: str) -> str:
    return {"boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal"}.get(kind, "valueString")
