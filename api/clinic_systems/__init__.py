"""The faces for clinic record systems: HL7 FHIR R4 and CDS Hooks 2.0.

    fhir.py          /fhir: the intake as a Questionnaire in, the result as a RiskAssessment out
    cds_hooks.py     /cds-services: screening cards when a runner's chart opens
    cds_auth.py      the bearer JWT a CDS client signs each call with, verified
    cds_keys.py      a CDS client's public keys from its JWK Set URL
    cds_replay.py    each CDS client token accepted once
    cds_prefetch.py  the QuestionnaireResponse a CDS call is about: prefetched, or fetched
    cds_result.py    the full result page a CDS card links to

The mapping itself (FHIR resources, cards) is pure and lives in screening.interop.
"""
