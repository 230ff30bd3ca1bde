"""The rulebook as pages for clinicians: every rule in words, with its thresholds, points and evidence.

    GET /rules         the whole ruleset: scoring, bands, then every rule by group
    GET /rules/<id>    one rule (an unknown one: a page saying so, with the rulebook's link; 404)

Read from the ruleset the service screens with, as /v1/rules (the JSON) is:
the condition is said in words (`screening.result.conditions`), thresholds with
their units and sources, the points with the effect they are computed from
(or "design choice"), the referral, the recommendations and the evidence
with its grade. Results link each fired rule here.
"""

from importlib.resources import as_file, files

from flask import Blueprint, render_template, send_file

from api.operations.screener_binding import screener
from api.pages.form import protect_page
from screening.result.conditions import condition_in_general
from screening.result.risk import risk_scale
from screening.ruleset.model import Rule, Ruleset

bp = Blueprint("rulebook_pages", __name__, template_folder="../templates")
bp.after_request(protect_page)


def init_app(app) -> None:
    app.register_blueprint(bp)


# Package data of screening.result (pyproject), found wherever the package is installed.
PALETTE = files("screening.result").joinpath("palette.css")


@bp.get("/clinic/palette.css")
def palette():
    """The palette every face shares (the roster report inlines the same file)."""
    with as_file(PALETTE) as path:
        return send_file(path, mimetype="text/css", max_age=3600)


def _rule_view(rule: Rule, ruleset: Ruleset) -> dict:
    return {
        "rule": rule,
        "condition": condition_in_general(rule, ruleset),
        "formal": ruleset.describe(rule),
        "thresholds": [ruleset.parameters[name] for name in rule.thresholds],
        "destination": rule.referral_to or ruleset.referral_to.get(rule.referral),
        "recommendations": [ruleset.recommendations[rec_id] for rec_id in rule.recommendations],
        "effect": rule.effect.describe() if rule.effect else None,
        # The basis after the effect it opens with, which the page has just said: said once.
        "arithmetic": rule.points_basis.removeprefix(f"{rule.effect.describe()}: ") if rule.effect else None,
    }


@bp.get("/rules")
def rulebook():
    """Every rule of the loaded ruleset, grouped as rules/ groups them."""
    ruleset = screener().ruleset
    groups: dict[str, list[dict]] = {}
    for rule in ruleset.rules:
        groups.setdefault(rule.group, []).append(_rule_view(rule, ruleset))
    return render_template("clinic/rules.html", ruleset=ruleset, groups=groups, scale=risk_scale(ruleset))


@bp.get("/rules/<rule_id>")
def rule_page(rule_id: str):
    """One rule, as the rulebook shows it."""
    ruleset = screener().ruleset
    rule = next((r for r in ruleset.rules if r.id == rule_id), None)
    if rule is None:  # a page, not problem+json: a person followed a link (an old note, a typed address)
        return render_template("clinic/no_rule.html", ruleset=ruleset, rule_id=rule_id[:64]), 404
    return render_template("clinic/rule.html", ruleset=ruleset, view=_rule_view(rule, ruleset))
