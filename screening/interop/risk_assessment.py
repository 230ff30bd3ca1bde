"""A screening result as a FHIR R4 RiskAssessment (a dict).

    status              final
    subject             the response's subject (a pseudonymous Patient reference), else the runner id
    occurrenceDateTime  screened_at
    basis               the QuestionnaireResponse screened, when it has an id or identifier
    method              the ruleset (name, version) that gave the result
    prediction[0]       qualitativeRisk: HL7 risk-probability low | moderate | high (the score's band;
                        for a symptomatic result its text says so);
                        relativeRisk when the result gives risk.relative_risk;
                        rationale: score, the bands' ranges and the relative risk when the
                        result gives them, and every fired rule, in words
    mitigation          the recommendations, in the ruleset's order
    note                rules not assessed for missing data, and the disclaimer
    contained           the soleus programme as a CarePlan (interop/care_plan.py), when the result has one
    extension           referral (below), risk-score (valueInteger, 0-100), band (valueCode: low |
                        moderate | high | symptomatic, the result's band) and one fired-rule
                        (valueString: the rule id) per rule that fired; programme (valueReference
                        "#programme": the contained CarePlan)

The referral extension (`urn:soleus-screen:fhir:StructureDefinition/referral`)
holds sub-extensions `required` (valueBoolean), `urgency` (valueCode: urgent
= same day, medical; soon = within days; routine), `to` (valueString: who to
refer to), one `reason` (valueString: a referring rule id) per reason and,
when the result lists them, one `destination` (valueString) per destination,
and `escalation` (valueString) when a suspected clot is referred urgently (say
it first: breathless or chest pain, call the emergency number now).
"""

from screening.interop import codes
from screening.interop.care_plan import CARE_PLAN_ID, care_plan
from screening.result.values import format_value

RULES_PATH = "/v1/rules"


def risk_assessment(result: dict, subject: dict | None = None, basis: dict | None = None) -> dict:
    """The RiskAssessment for one result; `subject` and `basis` are FHIR References (dicts)."""
    ruleset = result["ruleset"]
    risk = result["risk"]
    score_band = risk.get("score_band", risk["band"])
    text = f"{risk['band']} risk (score {risk['score']})"
    if risk["band"] != score_band:
        text = (
            f"{risk['band']}: symptoms of a present injury, assess first; the score's band ({score_band}, "
            f"score {risk['score']}) does not apply"
        )
    prediction: dict = {
        "outcome": {"text": "Soleus (calf) muscle strain"},
        "qualitativeRisk": {
            "coding": [
                {"system": codes.RISK_PROBABILITY, "code": score_band, "display": codes.RISK_DISPLAY[score_band]}
            ],
            "text": text,
        },
        "rationale": rationale(result),
    }
    relative = _relative_risk(risk.get("relative_risk"))
    if relative is not None:
        prediction["relativeRisk"] = relative
    resource: dict = {
        "resourceType": "RiskAssessment",
        "id": result["screening_id"],
        "extension": [
            _referral(result["referral"]),
            {"url": codes.RISK_SCORE_EXTENSION, "valueInteger": risk["score"]},
            {"url": codes.BAND_EXTENSION, "valueCode": risk["band"]},
            *({"url": codes.FIRED_RULE_EXTENSION, "valueString": entry["rule"]} for entry in result["explanation"]),
        ],
        "status": "final",
        "method": {
            "coding": [
                {
                    "system": codes.RULESET_SYSTEM,
                    "code": ruleset["name"],
                    "version": ruleset["version"],
                    "display": f"soleus-screen ruleset {ruleset['name']} {ruleset['version']}",
                }
            ],
            "text": f"Rule-based screening, ruleset {ruleset['name']} {ruleset['version']} (see {RULES_PATH})",
        },
        "code": {"text": "Soleus (calf) strain risk screening for runners"},
        "subject": subject or {"identifier": {"system": codes.RUNNER_ID_SYSTEM, "value": result["runner_id"]}},
        "occurrenceDateTime": result["screened_at"],
        "prediction": [prediction],
        "note": [{"text": text} for text in notes(result)],
    }
    if basis:
        resource["basis"] = [basis]
    if result.get("programme"):
        resource["contained"] = [care_plan(result["programme"], resource["subject"], result["screened_at"])]
        resource["extension"].append(
            {"url": codes.PROGRAMME_EXTENSION, "valueReference": {"reference": f"#{CARE_PLAN_ID}"}}
        )
    if result["recommendations"]:
        resource["mitigation"] = " ".join(
            f"{number}. {rec['text']}" for number, rec in enumerate(result["recommendations"], 1)
        )
    return resource


def rationale(result: dict) -> str:
    """Why the band: the score, where it sits on the scale, and each rule that fired with its inputs."""
    risk = result["risk"]
    parts = [f"Score {risk['score']}, band {risk['band']}{_scale(risk)}."]
    if risk.get("symptoms"):
        parts.append(f"Symptomatic (symptoms of a present injury) because of {', '.join(risk['symptoms'])}.")
    for cap in risk.get("caps") or []:
        parts.append(f"The {cap['group']} rules carry {cap['points']} points and count {cap['counted']} (capped).")
    relative = _relative_risk(risk.get("relative_risk"))
    if relative is not None:
        basis = risk["relative_risk"].get("basis") if isinstance(risk["relative_risk"], dict) else None
        parts.append(f"Relative risk {_words(relative)}" + (f": {basis}." if basis else "."))
    if not result["explanation"]:
        parts.append("No rule fired.")
    for entry in result["explanation"]:
        shown = ", ".join(f"{name} = {_words(value)}" for name, value in entry["inputs"].items())
        parts.append(f"{entry['title']} ({entry['rule']}, {entry['points']:+d} points): {entry['condition']}; {shown}.")
    return " ".join(parts)


def notes(result: dict) -> list[str]:
    """What a clinician must also read: the referral in words, what was not assessed, the disclaimer."""
    escalation = result["referral"].get("escalation")
    found = [escalation["text"]] if escalation else []
    found.append(referral_words(result["referral"]))
    for entry in result["not_assessed_detail"]:
        found.append(
            f"Not assessed (missing data, not assumed normal): {entry['title']} ({entry['rule']}) "
            f"needs {'; '.join(entry['needs'])}."
        )
    found.append(result["disclaimer"])
    return found


def referral_words(referral: dict) -> str:
    if not referral["required"]:
        return "No referral."
    return f"Referral: {referral['urgency']} to {referral['to']} (because {', '.join(referral['reasons'])})."


def _referral(referral: dict) -> dict:
    parts: list[dict] = [{"url": "required", "valueBoolean": referral["required"]}]
    if referral["urgency"]:
        parts.append({"url": "urgency", "valueCode": referral["urgency"]})
    if referral["to"]:
        parts.append({"url": "to", "valueString": referral["to"]})
    parts += [{"url": "reason", "valueString": reason} for reason in referral["reasons"]]
    parts += [{"url": "destination", "valueString": each} for each in referral.get("destinations") or []]
    if referral.get("escalation"):
        parts.append({"url": "escalation", "valueString": referral["escalation"]["text"]})
    return {"url": codes.REFERRAL_EXTENSION, "extension": parts}


def _relative_risk(value) -> float | None:
    """The risk multiple: a number, or the one number in an object that also states its basis."""
    if isinstance(value, dict):
        numbers = [each for each in value.values() if _is_number(each)]
        value = numbers[0] if len(numbers) == 1 else None
    return value if _is_number(value) else None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scale(risk: dict) -> str:
    """Where the score sits: the bands' score ranges, when the result gives them (risk.scale.bands)."""
    scale = risk.get("scale")
    bands = scale.get("bands") if isinstance(scale, dict) else None
    if not isinstance(bands, list) or not all(isinstance(band, dict) for band in bands):
        return ""
    ranges = [f"{band.get('band')} {band.get('from')}-{band.get('to')}" for band in bands]
    return f" (bands: {', '.join(ranges)})"


def _words(value) -> str:
    if isinstance(value, list):
        return ", ".join(_words(each) for each in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_words(each)}" for key, each in value.items())
    return format_value(value)
