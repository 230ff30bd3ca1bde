"""Every code system, code and extension URL the FHIR faces use, stated once.

Standard codes where they exist:

- pain severity 0-10 items (`wellness.pain_while_running`, `wellness.soreness`):
  LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported";
- `runner.sex`: HL7 administrative-gender (female, male, other), whose codes are
  exactly the intake's values;
- the risk band: HL7 risk-probability (low, moderate, high);
- units: UCUM (`wk`, `d`, `km`, `/wk`, `{reps}`) in the questionnaire-unit extension.

No standard code exists (checked in LOINC and SNOMED CT by name) for the other
intake items (heel raises to fatigue, training distances and their unit choice,
fatigue 0-10, soreness days, a running injury in the past 12 months, exertional
pain that settles with rest, the red-flag checklist as asked here, the OSTRC-O2
calf answers as indexes): those items carry only their linkId and text, and
their answer options use this service's own code systems below. A soleus strain
risk screening has no LOINC or SNOMED code either: RiskAssessment.code and the
prediction outcome are text only.

This service's own URIs are URNs (`urn:soleus-screen:...`): identifiers, not
addresses; nothing needs to resolve them.
"""

BASE = "urn:soleus-screen:fhir"
QUESTIONNAIRE_ID = "soleus-intake"
QUESTIONNAIRE_URL = f"{BASE}:Questionnaire/{QUESTIONNAIRE_ID}"
ANSWER_SYSTEM = f"{BASE}:CodeSystem/"  # + linkId: the answer options of one item
RULESET_SYSTEM = f"{BASE}:CodeSystem/ruleset"
RUNNER_ID_SYSTEM = f"{BASE}:NamingSystem/runner-id"
REFERRAL_EXTENSION = f"{BASE}:StructureDefinition/referral"
RISK_SCORE_EXTENSION = f"{BASE}:StructureDefinition/risk-score"
FIRED_RULE_EXTENSION = f"{BASE}:StructureDefinition/fired-rule"
# The result's band (low | moderate | high | symptomatic): HL7 risk-probability has no code for
# "symptoms of a present injury", so qualitativeRisk holds the score's band and this says the band.
BAND_EXTENSION = f"{BASE}:StructureDefinition/band"
ESCALATION_EXTENSION = f"{BASE}:StructureDefinition/escalation"
PROGRAMME_EXTENSION = f"{BASE}:StructureDefinition/programme"  # valueReference: the contained CarePlan
SCREEN_OPERATION = f"{BASE}:OperationDefinition/QuestionnaireResponse-screen"

LOINC = "http://loinc.org"
PAIN_SEVERITY_0_10 = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
# Items scored 0-10 for pain: LOINC 72514-3 applies to these and to no other scale in the intake.
PAIN_SEVERITY_ITEMS = ("wellness.soreness", "wellness.pain_while_running")

ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"
# Items whose choices are exactly the codes of a standard system.
STANDARD_ANSWER_SYSTEMS = {"runner.sex": ADMINISTRATIVE_GENDER}

UCUM = "http://unitsofmeasure.org"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
RISK_DISPLAY = {"low": "Low likelihood", "moderate": "Moderate likelihood", "high": "High likelihood"}

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
MAX_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
REGEX = "http://hl7.org/fhir/StructureDefinition/regex"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"
