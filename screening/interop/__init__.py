"""Clinic systems: the intake and the result in HL7 FHIR R4, as pure functions on plain data.

    questionnaire.py    the intake schema -> a Questionnaire (generated, never written by hand)
    items.py            the schema walked once into item specs both directions share
    bounds.py           a QuestionnaireResponse with more items or answers than allowed, refused before any model
    response.py         a QuestionnaireResponse <-> an intake dict (validated after by the Screener);
                        field errors -> an OperationOutcome
    risk_assessment.py  a result -> a RiskAssessment
    care_plan.py        the result's programme -> a CarePlan, contained in the RiskAssessment
    cards.py            a result -> CDS Hooks 2.0 cards
    audit_event.py      the audit trail -> AuditEvents in a Bundle (`soleus-screen audit export`)
    codes.py            every system, code and extension URL used, and where no standard code exists

No HTTP and no flask here: the faces (api/fhir.py, api/cds_hooks.py, the CLI)
call these functions. The resources are plain dicts; the faces check them with
the fhir.resources models, which stay out of the screening path.
"""
