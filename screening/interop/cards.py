"""A screening result as CDS Hooks 2.0 cards (plain dicts; the face adds nothing but URLs).

One card per screening:

    indicator   critical for an urgent referral (a red flag); warning for high risk, a
                symptomatic runner or a `soon` referral; info otherwise
    summary     band, score and referral in under 140 characters
    detail      Markdown: the escalation line of a suspected clot first, the fired rules with their
                points and any cap, recommendations, the soleus programme in one line, what was not
                assessed, the disclaimer
    source      the ruleset, linked to the rulebook (/v1/rules)
    links       the full result page
    suggestions when a referral is required: create a ServiceRequest proposal for it

A response the service cannot screen gets an info card naming its errors by
linkId, so a clinician knows why there is no risk card.
"""

import uuid

from screening.interop.risk_assessment import referral_words
from screening.programme.words import one_line
from screening.ruleset.model import SYMPTOMATIC

SUMMARY_LIMIT = 139  # the spec: a summary of fewer than 140 characters
# FHIR request-priority for each referral urgency: urgent is same day (asap), soon within days.
PRIORITY = {"urgent": "asap", "soon": "urgent", "routine": "routine"}


def indicator(result: dict) -> str:
    urgency = result["referral"]["urgency"]
    if urgency == "urgent":
        return "critical"
    if result["risk"]["band"] in ("high", SYMPTOMATIC) or urgency == "soon":
        return "warning"
    return "info"


def summary(result: dict) -> str:
    risk, referral = result["risk"], result["referral"]
    text = f"Soleus strain risk {risk['band']} (score {risk['score']})"
    if risk["band"] == SYMPTOMATIC:
        text = f"Soleus screening: symptomatic, a present injury to assess (score {risk['score']})"
    if referral["required"]:
        text += f"; refer {referral['urgency']} to {referral['to']}"
        if referral["urgency"] == "urgent":
            text = "URGENT: red flag. " + text
    return _fit(text + ".")


def risk_card(result: dict, *, source_url: str, result_url: str | None, patient_id: str) -> dict:
    """The card for one result; `result_url` is the full result page (None: no link)."""
    ruleset = result["ruleset"]
    card: dict = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(result),
        "detail": detail(result),
        "indicator": indicator(result),
        "source": {
            "label": f"soleus-screen, ruleset {ruleset['name']} {ruleset['version']}",
            "url": source_url,
        },
    }
    if result_url:
        card["links"] = [{"label": "Full screening result", "url": result_url, "type": "absolute"}]
    referral = result["referral"]
    if referral["required"]:
        card["selectionBehavior"] = "at-most-one"
        card["suggestions"] = [
            {
                "label": f"Propose a referral to a {referral['to']} ({referral['urgency']})",
                "uuid": str(uuid.uuid4()),
                "isRecommended": True,
                "actions": [
                    {
                        "type": "create",
                        "description": f"Create a ServiceRequest proposal: referral to a {referral['to']}, "
                        f"{referral['urgency']}",
                        "resource": service_request(result, patient_id),
                    }
                ],
            }
        ]
    return card


def service_request(result: dict, patient_id: str) -> dict:
    """The referral as a FHIR ServiceRequest proposal for the clinician to accept or not."""
    referral = result["referral"]
    return {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "priority": PRIORITY[referral["urgency"]],
        "code": {"text": f"Referral to {referral['to']}"},
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonCode": [{"text": f"Soleus strain screening: {', '.join(referral['reasons'])}"}],
        "note": [{"text": referral_words(referral) + f" Screening {result['screening_id']}."}],
    }


def detail(result: dict) -> str:
    lines = []
    escalation = result["referral"].get("escalation")
    if escalation:
        lines += [f"**{escalation['text']}**", ""]
    if result["risk"].get("symptoms"):
        lines += ["**Symptomatic**: symptoms of a present injury; assess before the risk score applies.", ""]
    if result["explanation"]:
        lines.append("**Rules that fired**")
        lines += [
            f"- {entry['title']} ({entry['points']:+d} points)"
            if entry["points"]
            else f"- {entry['title']} (no points)"
            for entry in result["explanation"]
        ]
        lines += [
            f"- the {cap['group']} rules carry {cap['points']} points and count {cap['counted']} (capped)"
            for cap in result["risk"].get("caps") or []
        ]
        lines.append(f"- score {result['risk']['score']}")
    else:
        lines.append("No rule fired.")
    if result["recommendations"]:
        lines += ["", "**Recommendations**"]
        lines += [f"{number}. {rec['text']}" for number, rec in enumerate(result["recommendations"], 1)]
    if result.get("programme"):
        lines += ["", f"**Programme**: {one_line(result['programme'])}"]
    if result["not_assessed_detail"]:
        lines += ["", "**Not assessed** (missing data, not assumed normal)"]
        lines += [f"- {entry['title']}" for entry in result["not_assessed_detail"]]
    lines += ["", f"_{result['disclaimer']}_"]
    return "\n".join(lines)


def unreadable_card(errors: dict[str, list[str]], *, source_url: str, ruleset: dict) -> dict:
    """An info card: the latest intake on record could not be screened, and why (by linkId)."""
    names = ", ".join(sorted(errors))
    lines = ["The most recent soleus intake on record could not be screened. Fix these answers and screen again:", ""]
    for path, messages in sorted(errors.items()):
        lines += [f"- `{path}`: {message}" for message in messages]
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _fit(f"Soleus intake could not be screened: {names}"),
        "detail": "\n".join(lines),
        "indicator": "info",
        "source": {"label": f"soleus-screen, ruleset {ruleset['name']} {ruleset['version']}", "url": source_url},
    }


def _fit(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 3].rstrip() + "..."
