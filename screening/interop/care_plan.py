"""The result's soleus programme as a FHIR R4 CarePlan (a dict), contained in the RiskAssessment.

    id              programme
    status          active (prescribed) | on-hold (withheld: a referral comes first)
    intent          proposal (for the clinician to give the runner)
    title           "Soleus programme: stage 2 (Split stance)", or "... withheld"
    description     why this stage, or why withheld, in words
    subject         the RiskAssessment's subject
    created         screened_at
    activity        one per exercise row: detail.description (the exercise, its dose, how to do it),
                    detail.status not-started, detail.scheduledString (sessions a week)
    note            the knee, the extra set, when to move on and to step back, the return-to-run
                    checklist, the change since the last screening

The RiskAssessment names it in the programme extension (valueReference "#programme"),
so the contained resource is referenced from its container as FHIR requires.
"""

from screening.programme import words

CARE_PLAN_ID = "programme"


def care_plan(programme: dict, subject: dict, created: str) -> dict:
    withheld = programme["status"] == "withheld"
    stage = programme["stage"]
    title = "Soleus programme withheld" if withheld else f"Soleus programme: stage {stage['number']} ({stage['title']})"
    resource: dict = {
        "resourceType": "CarePlan",
        "id": CARE_PLAN_ID,
        "status": "on-hold" if withheld else "active",
        "intent": "proposal",
        "title": title,
        "description": programme["reason"],
        "subject": subject,
        "created": created,
    }
    activities = [
        {
            "detail": {
                "status": "not-started",
                "description": f"{row['title']}: {words.dose_text(row)}. {row['how']}",
                "scheduledString": f"{row['sessions_per_week']} times a week",
            }
        }
        for row in programme["exercises"]
    ]
    if activities:
        resource["activity"] = activities
    notes = [text for _, text in words.notes(programme)]
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource
