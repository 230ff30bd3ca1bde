"""A QuestionnaireResponse to soleus-intake <-> an intake dict, and field errors -> an OperationOutcome.

`to_intake` only translates: answers become the intake's values, keyed by the
linkIds' dotted paths. Whether the intake is valid is the marshmallow schema's
business (the caller passes it to the Screener), so the FHIR path checks
exactly what the JSON API checks. What only FHIR can get wrong (an unknown
linkId, a value of the wrong FHIR type, two answers to a single item) is
reported here, by linkId, in the same shape: {linkId: [messages]}.

An unanswered item is absent from the intake, except a key the intake
requires but allows to be null (`heel_raise.left`): unanswered means null
("not tested"), and the rules report that as not assessed. Only a completed
(or amended) response is read: in an unfinished one an unanswered red flag
would be taken for "no". `authored` is when the visit happened (the intake's
`screened_at`): a date and time with its offset; without it, the screening's
own time.
"""

from collections.abc import Callable

from screening.errors import IntakeError
from screening.interop import codes
from screening.interop.items import ItemSpec, flatten

# An unfinished response may leave red flags unanswered, which the intake reads as "no".
SCREENABLE = ("completed", "amended")
AUTHORED = "QuestionnaireResponse.authored"
# The intake fields a response carries as its own elements, not as items.
ELEMENTS = {"screened_at": AUTHORED}
VALUE_KEYS = {
    "boolean": ("valueBoolean",),
    "integer": ("valueInteger",),
    # A whole decimal may come as valueInteger from a form filler; both are numbers.
    "decimal": ("valueDecimal", "valueInteger"),
    "string": ("valueString",),
    "choice": ("valueCoding",),
}
WORDS = {
    "valueBoolean": "true or false",
    "valueInteger": "a whole number",
    "valueDecimal": "a number",
    "valueString": "text",
    "valueCoding": "one of the answerOption codings",
}


def to_intake(response: dict, items: tuple[ItemSpec, ...]) -> tuple[dict, dict[str, list[str]]]:
    """The intake the response's answers give, and the errors (by linkId) that stopped an answer."""
    specs = flatten(items)
    intake: dict = {}
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    if response.get("status") not in SCREENABLE:
        errors["QuestionnaireResponse.status"] = [
            f"Only a completed or amended response is screened, not {response.get('status')!r}: an unanswered "
            "red flag would count as absent."
        ]
    if response.get("questionnaire") and response["questionnaire"].split("|")[0] != codes.QUESTIONNAIRE_URL:
        errors["QuestionnaireResponse.questionnaire"] = [f"Expected a response to {codes.QUESTIONNAIRE_URL}."]
    for item in _leaves(response.get("item") or [], specs, errors, seen):
        spec = specs[item["linkId"]]
        values = []
        for index, answer in enumerate(item.get("answer") or []):
            value = _value(spec, answer, errors, index, len(item["answer"]))
            if value is not _BAD:
                values.append(value)
        if not item.get("answer"):
            continue
        if not spec.repeats and len(item["answer"]) > 1:
            errors.setdefault(spec.link_id, []).append("Expected one answer: the item does not repeat.")
            continue
        _put(intake, spec.path, values if spec.repeats else values[0] if values else None, present=bool(values))
    for spec in specs.values():
        if spec.nullable and spec.link_id not in seen and _parent_asked(intake, spec, specs):
            _put(intake, spec.path, None, present=True)
    if response.get("authored") is not None:
        intake["screened_at"] = response["authored"]
    return intake, errors


_BAD = object()


def read_intake(response: dict, items: tuple[ItemSpec, ...], validate: Callable[[dict], dict]) -> dict:
    """The validated intake a response gives (`validate` is the Screener's), or IntakeError with every error.

    Errors keep the intake's paths (`training.weekly_distance.3`); an item whose
    answers could not be read reports only that, not the schema's view of the gap.
    """
    intake, errors = to_intake(response, items)
    try:
        valid = validate(intake)
    except IntakeError as error:
        for path, messages in error.errors.items():
            path = ELEMENTS.get(path, path)
            if link_id_of(path, items)[0] not in errors:
                errors.setdefault(path, []).extend(messages)
    if errors:
        raise IntakeError(errors)
    return valid


def _leaves(items: list, specs: dict[str, ItemSpec], errors: dict, seen: set[str]):
    """Every answered item, however the response nests its groups; unknown or repeated linkIds are errors."""
    for item in items:
        link_id = item.get("linkId")
        spec = specs.get(link_id)
        if spec is None:
            errors.setdefault(str(link_id), []).append(f"Unknown item: not in Questionnaire {codes.QUESTIONNAIRE_ID}.")
            continue
        if link_id in seen:
            errors.setdefault(link_id, []).append("The item appears more than once.")
            continue
        seen.add(link_id)
        if spec.kind == "group":
            if item.get("answer"):
                errors.setdefault(link_id, []).append("A group has items, not answers.")
            yield from _leaves(item.get("item") or [], specs, errors, seen)
        else:
            if item.get("item"):
                errors.setdefault(link_id, []).append("A question's answers have no nested items here.")
            yield item


def _value(spec: ItemSpec, answer: dict, errors: dict, index: int, count: int):
    where = f"Answer {index + 1}: " if count > 1 else ""
    given = [key for key in answer if key.startswith("value")]
    accepted = VALUE_KEYS[spec.kind]
    if len(given) != 1 or given[0] not in accepted:
        got = ", ".join(given) or "no value"
        errors.setdefault(spec.link_id, []).append(f"{where}Expected {accepted[0]} ({WORDS[accepted[0]]}), got {got}.")
        return _BAD
    value = answer[given[0]]
    if spec.kind != "choice":
        return value
    code = value.get("code") if isinstance(value, dict) else None
    for choice in spec.choices:
        if choice.code == code:
            return choice.value
    allowed = ", ".join(choice.code for choice in spec.choices)
    errors.setdefault(spec.link_id, []).append(f"{where}Expected one of the codes {allowed}, got {code!r}.")
    return _BAD


def _put(intake: dict, path: list[str], value, present: bool) -> None:
    if not present:
        return
    target = intake
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _parent_asked(intake: dict, spec: ItemSpec, specs: dict[str, ItemSpec]) -> bool:
    """Whether the item's group is in the intake or must be: then its null-means-not-tested keys are set."""
    parent = ".".join(spec.path[:-1])
    if not parent:
        return True
    return specs[parent].required or parent.split(".")[0] in intake


def from_intake(intake: dict, items: tuple[ItemSpec, ...], subject: dict | None = None) -> dict:
    """A completed QuestionnaireResponse carrying this intake's values (what a form filler would send)."""
    response: dict = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": codes.QUESTIONNAIRE_URL,
        "status": "completed",
        "item": _answered(items, intake),
    }
    if intake.get("screened_at"):
        response["authored"] = intake["screened_at"]
    if subject:
        response["subject"] = subject
    return response


def _answered(items: tuple[ItemSpec, ...], values: dict) -> list[dict]:
    answered = []
    for spec in items:
        name = spec.path[-1]
        if name not in values or values[name] is None:
            continue
        value = values[name]
        if spec.kind == "group":
            children = _answered(spec.children, value)
            if children:
                answered.append({"linkId": spec.link_id, "item": children})
            continue
        answers = [_answer(spec, each) for each in (value if spec.repeats else [value])]
        answered.append({"linkId": spec.link_id, "answer": answers})
    return answered


def _answer(spec: ItemSpec, value) -> dict:
    if spec.kind == "choice":
        choice = next(choice for choice in spec.choices if choice.value == value)
        system = codes.STANDARD_ANSWER_SYSTEMS.get(spec.link_id, codes.ANSWER_SYSTEM + spec.link_id)
        return {"valueCoding": {"system": system, "code": choice.code, "display": choice.display}}
    if spec.kind == "decimal" and isinstance(value, int):
        return {"valueDecimal": value}
    return {VALUE_KEYS[spec.kind][0]: value}


def link_id_of(path: str, items: tuple[ItemSpec, ...]) -> tuple[str, int | None]:
    """The linkId an intake error path names, and the answer index for a list item (`training.weekly_distance.3`)."""
    specs = flatten(items)
    if path in specs or "." not in path:
        return path, None
    head, _, tail = path.rpartition(".")
    if head in specs and tail.isdigit():
        return head, int(tail)
    return path, None


def operation_outcome(errors: dict[str, list[str]], items: tuple[ItemSpec, ...]) -> dict:
    """An OperationOutcome with one issue per message; `expression` names the item's linkId."""
    issues = []
    for path, messages in errors.items():
        link_id, index = link_id_of(path, items)
        for message in messages:
            text = f"Answer {index + 1}: {message}" if index is not None else message
            issue = {"severity": "error", "code": _issue_code(message), "details": {"text": text}}
            if link_id != "_schema":
                issue["expression"] = [link_id]
            issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def _issue_code(message: str) -> str:
    if message.startswith("Missing data"):
        return "required"
    if message.startswith("Unknown item") or "appears more than once" in message:
        return "structure"
    return "value"
