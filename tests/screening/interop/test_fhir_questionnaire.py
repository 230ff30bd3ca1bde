"""The intake as a FHIR Questionnaire: generated from the schema, valid R4, one item per contract field."""

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.questionnaire import Questionnaire
from marshmallow import Schema, fields, validate

from screening.intake.fields import StrictBoolean, WholeNumber
from screening.intake.schema import IntakeSchema
from screening.interop import codes
from screening.interop.items import UnaskableField, flatten, intake_items
from screening.interop.questionnaire import questionnaire


def _leaf_paths(schema: Schema, prefix: str = "") -> set[str]:
    """The schema's leaf field paths, walked here independently of the mapping."""
    paths = set()
    for name, each in schema.fields.items():
        if isinstance(each, fields.Nested):
            paths |= _leaf_paths(each.schema, f"{prefix}{name}.")
        else:
            paths.add(prefix + name)
    return paths


def _items(resource: dict) -> dict[str, dict]:
    found = {}
    for item in resource.get("item", []):
        found[item["linkId"]] = item
        found.update(_items(item))
    return found


def _extension(item: dict, url: str):
    values = [ext for ext in item.get("extension", []) if ext["url"] == url]
    return values[0] if values else None


@pytest.fixture
def served(client) -> dict:
    response = client.get("/fhir/Questionnaire/soleus-intake")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    return response.get_json()


def test_questionnaire_loads_as_an_r4_questionnaire(served):
    loaded = Questionnaire.model_validate(served)
    assert loaded.url == codes.QUESTIONNAIRE_URL
    assert loaded.status == "active"


def test_questionnaire_has_one_item_per_intake_field_keyed_by_its_dotted_path(served):
    items = _items(served)
    leaves = {link_id for link_id, item in items.items() if item["type"] != "group"}
    # screened_at is the response's own element (QuestionnaireResponse.authored), not an item.
    assert leaves == _leaf_paths(IntakeSchema()) - {"screened_at"}
    assert {"runner", "training", "wellness", "heel_raise", "red_flags"} <= set(items)


def test_questionnaire_items_carry_types_bounds_and_required_flags(served):
    items = _items(served)
    age = items["runner.age"]
    assert (age["type"], age["required"]) == ("integer", True)
    assert _extension(age, codes.MIN_VALUE)["valueInteger"] == 12
    assert _extension(age, codes.MAX_VALUE)["valueInteger"] == 100
    assert _extension(age, codes.UNIT)["valueCoding"] == {"system": codes.UCUM, "code": "a", "display": "years"}
    weeks = items["training.weekly_distance"]
    assert (weeks["type"], weeks["repeats"], weeks["required"]) == ("decimal", True, True)
    assert _extension(weeks, codes.MIN_OCCURS)["valueInteger"] == 1
    assert _extension(weeks, codes.MAX_OCCURS)["valueInteger"] == 12
    assert items["training.latest_run"]["required"] is False
    assert items["red_flags.calf_swelling"]["type"] == "boolean"
    assert items["red_flags.calf_swelling"]["initial"] == [{"valueBoolean": False}]


def test_heel_raises_may_be_left_unanswered_for_not_tested(served):
    left = _items(served)["heel_raise.left"]
    assert left["required"] is False
    assert "not tested" in left["text"]


def test_choices_become_answer_options_with_standard_codes_where_they_exist(served):
    items = _items(served)
    sex = items["runner.sex"]
    assert sex["type"] == "choice"
    assert [option["valueCoding"]["code"] for option in sex["answerOption"]] == ["female", "male", "other"]
    assert {option["valueCoding"]["system"] for option in sex["answerOption"]} == {codes.ADMINISTRATIVE_GENDER}
    unit = items["training.unit"]
    assert [option["valueCoding"]["code"] for option in unit["answerOption"]] == ["km", "mi"]
    assert [option.get("initialSelected", False) for option in unit["answerOption"]] == [True, False]


def test_pain_scales_carry_loinc_72514_3_and_other_scales_do_not(served):
    items = _items(served)
    for link_id in codes.PAIN_SEVERITY_ITEMS:
        assert items[link_id]["code"][0]["code"] == "72514-3"
    assert "code" not in items["wellness.fatigue"]


class _Section(Schema):
    participation = WholeNumber(
        required=True, validate=validate.Range(0, 3), metadata={"choices": ["full", "reduced", "some", "none"]}
    )


class _Extended(Schema):
    flag = StrictBoolean(load_default=False)
    section = fields.Nested(_Section, load_default=None, allow_none=True)


def test_metadata_choices_become_indexed_answer_options_in_an_optional_section():
    items = intake_items(_Extended())
    generated = _items(questionnaire("9.9.9", items=items))
    section, answer = generated["section"], generated["section.participation"]
    assert (section["type"], section["required"]) == ("group", False)
    assert answer["type"] == "choice"
    assert [option["valueCoding"]["code"] for option in answer["answerOption"]] == ["0", "1", "2", "3"]
    assert [option["valueCoding"]["display"] for option in answer["answerOption"]] == [
        "full",
        "reduced",
        "some",
        "none",
    ]
    assert [option["extension"][0]["valueDecimal"] for option in answer["answerOption"]] == [0, 1, 2, 3]
    assert _extension(answer, codes.MIN_VALUE) is None  # the options are the bounds
    assert flatten(items)["section.participation"].choices[2].value == 2
    Questionnaire.model_validate(questionnaire("9.9.9", items=items))


def test_a_field_the_mapping_cannot_ask_for_is_refused_at_start():
    with pytest.raises(UnaskableField, match="when: no FHIR item type for DateTime"):
        intake_items(Schema.from_dict({"when": fields.DateTime()})())


def test_unknown_questionnaire_is_an_operation_outcome_404(client):
    response = client.get("/fhir/Questionnaire/other")
    assert response.status_code == 404
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "not-found"


def test_capability_statement_loads_and_lists_only_what_is_served(client):
    response = client.get("/fhir/metadata")
    assert response.mimetype == "application/fhir+json"
    statement = CapabilityStatement.model_validate(response.get_json())
    assert statement.fhirVersion == "4.0.1"
    resources = {resource.type: resource for resource in statement.rest[0].resource}
    assert set(resources) == {"Questionnaire", "QuestionnaireResponse"}
    assert [interaction.code for interaction in resources["Questionnaire"].interaction] == ["read"]
    assert resources["QuestionnaireResponse"].interaction is None
    assert [operation.name for operation in resources["QuestionnaireResponse"].operation] == ["screen"]
