"""The programme section said in plain text: the text note's lines, a one-line summary, a roster's stage cell.

Every face says the same words, from the result's section alone (no rule data
needed), so a stored result is shown again as it was given.
"""

from screening.programme.model import ProgrammeRules

WITHHELD_CELL = "withheld"
# Every stage cell a result may give, in order (a roster report's filter): the stages of rules/programme.yaml.
PROGRAMME_CELLS = (*(f"stage {number}" for number in range(1, 5)), WITHHELD_CELL)


def stage_cell(programme: dict | None) -> str:
    """A roster cell: 'stage 2' or 'withheld' ('' for a result without a programme)."""
    if not programme:
        return ""
    return WITHHELD_CELL if programme["status"] == "withheld" else f"stage {programme['stage']['number']}"


def stored_stage_cell(stage: str | None, rules: ProgrammeRules) -> str:
    """A stage as stored with a screening (a stage id, 'withheld', None before the programme), in stage_cell's words.

    An id the programme no longer has (a stored screening of another version) is said as it was stored.
    """
    if stage is None:
        return ""
    if stage == WITHHELD_CELL:
        return WITHHELD_CELL
    known = {s.id: s.number for s in rules.stages}
    return f"stage {known[stage]}" if stage in known else stage


def one_line(programme: dict) -> str:
    """The programme in one line (a CDS card's suggestion, a summary)."""
    if programme["status"] == "withheld":
        return f"Soleus programme withheld: {programme['reason']}"
    stage = programme["stage"]
    names = list(dict.fromkeys(row["title"] for row in programme["exercises"]))
    first = programme["exercises"][0]
    dose = f"{first['sets']}x{first['reps']}, {first['sessions_per_week']} sessions a week"
    extra = f"; {programme['emphasis']['says']}" if programme.get("emphasis") else ""
    return f"Soleus programme stage {stage['number']} ({stage['title']}): {', '.join(names)}, {dose}{extra}"


def dose_text(row: dict) -> str:
    legs = (
        "each leg"
        if row["each_leg"] and row["legs"] == "both"
        else f"{row['legs']} leg"
        if row["legs"] != "both"
        else "both legs"
    )
    text = f"{row['sets']} x {row['reps']} ({legs}), {row['tempo']}, {row['sessions_per_week']} times a week"
    return f"{text}; {row['load']}" if row.get("load") else text


def lines(programme: dict) -> list[tuple[str, str]]:
    """(indent, text) pairs for the text note: status and reason, each exercise and its dose, then `notes`."""
    found = [("", f"Programme: {stage_cell(programme)}"), ("  ", programme["reason"])]
    for row in programme["exercises"]:
        found += [("  - ", f"{row['title']}: {dose_text(row)}"), ("      ", row["how"])]
    return found + notes(programme)


def notes(programme: dict) -> list[tuple[str, str]]:
    """(indent, text) pairs: the knee, the extra set, the rules to move on and step back, the return-to-run
    checklist, the change since the last visit."""
    found = []
    if programme.get("knee"):
        found.append(("  ", programme["knee"]))
    if programme.get("emphasis"):
        found.append(("  ", programme["emphasis"]["says"]))
    for key in ("progress_when", "step_back_when"):
        if programme.get(key):
            found.append(("  ", programme[key]))
    if programme.get("moves_on_at"):
        found.append(("  ", programme["moves_on_at"]["says"]))
    back = programme.get("return_to_run")
    if back:
        found.append(("  ", f"Return to run. {back['says']}"))
        found += [("    [ ] ", f"{check['says']} ({check['status']})") for check in back["checks"]]
        found.append(("  ", back["then"]))
    change = (programme.get("history") or {}).get("change")
    if change:
        found.append(("  ", f"Since the last screening: {change}"))
    return found
