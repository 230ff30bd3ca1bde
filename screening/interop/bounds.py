"""Refuse a QuestionnaireResponse with more items or answers than the Questionnaire allows, before any model.

The R4B model (pydantic) and the mapping build an object per item and answer:
a response whose weekly_distance item had 900,000 answers took 18 s and
500 MB of a worker to be told it may hold 12. A response to soleus-intake
names each of its items once, and an item takes one answer (a repeating one
at most its `max_occurs`), so counting them on the raw JSON, which costs next
to nothing, says what is wrong in the same shape as the mapping's errors:
{linkId: [messages]}.
"""

from screening.interop import codes
from screening.interop.items import ItemSpec


def most_answers(spec: ItemSpec | None, specs: dict[str, ItemSpec]) -> int:
    """The answers `spec` may take: 1, a repeating item's max_occurs; an unknown item, the most any item takes."""
    if spec is None:
        return max(most_answers(each, specs) for each in specs.values())
    if spec.kind == "group":
        return 0
    return (spec.max_occurs or 1) if spec.repeats else 1


def count_errors(response: dict, specs: dict[str, ItemSpec]) -> dict[str, list[str]]:
    """What the response holds past the Questionnaire's counts, by linkId (items in all, answers per item)."""
    errors: dict[str, list[str]] = {}
    # Twice the Questionnaire's items: a response with a few repeated or unknown ones gets the mapping's own words.
    most_items = 2 * len(specs)
    items_seen = 0
    pending = [response.get("item")]
    while pending:
        items = pending.pop()
        if not isinstance(items, list):
            continue
        items_seen += len(items)
        if items_seen > most_items:
            errors["QuestionnaireResponse.item"] = [
                f"More than {most_items} items: Questionnaire {codes.QUESTIONNAIRE_ID} has {len(specs)}, each "
                "answered once."
            ]
            return errors
        for item in items:
            if not isinstance(item, dict):
                continue
            answers = item.get("answer")
            link_id = item.get("linkId")
            most = most_answers(specs.get(link_id) if isinstance(link_id, str) else None, specs)
            if isinstance(answers, list) and len(answers) > most:
                errors.setdefault(str(link_id), []).append(f"{len(answers):,} answers: the item takes at most {most}.")
            pending.append(item.get("item"))
    return errors
