"""One stored screening as a row: its identity, the texts shown again, and the summary columns for queries.

row, body = ScreeningRow.to_store(intake, result, team="club-a")   # the row, and the exact JSON sent
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

from screening.over_time.series import weeks_text
from screening.programme.earlier import stage_of
from screening.timestamps import format_time, naive_utc, parse_time


@dataclass(frozen=True)
class ScreeningRow:
    """One row: the identity, the texts shown again, and the summary for queries."""

    screening_id: str
    team: str
    runner_id: str
    screened_at: datetime
    ruleset_version: str
    intake: str
    result: str
    score: int
    band: str
    urgency: str | None
    fired: list[str]
    fatigue: int | None
    soreness: int | None
    weekly_km: float | None
    ostrc_severity: int | None
    weeks: str | None
    soreness_days: int | None = None
    previous_dvt: bool | None = None  # recorded (true), said to be in error (false), neither (null)
    calf_strain_on: datetime | None = None
    calf_strain_error: bool | None = None
    heel_raise_left: int | None = None
    heel_raise_right: int | None = None
    programme_stage: str | None = None  # the stage the programme gave, or 'withheld' (None: no programme)
    runner_group: str | None = None  # the team page's columns (summary_stated)
    fatigue_z: float | None = None
    soreness_z: float | None = None
    previous_score: int | None = None
    previous_band: str | None = None
    previous_urgency: str | None = None

    @classmethod
    def of(
        cls,
        intake: dict,
        intake_json: str,
        result: dict,
        result_json: str,
        team: str | None,
        at: datetime | None = None,
    ) -> "ScreeningRow":
        """The row for a result as built (`result`) and as sent (`result_json`, the exact text).

        `at` is when it was screened to the microsecond (the result says it to
        the second): screenings of one runner within a second keep their order.
        """
        if at is not None and format_time(at) != result["screened_at"]:
            raise ValueError(f"{at} is not the result's screened_at {result['screened_at']}")
        derived = result["derived"]
        weeks = derived["weekly_distance_km"]
        wellness = intake.get("wellness") or {}
        screened_at = naive_utc(at) if at else parse_time(result["screened_at"])
        return cls(
            screening_id=result["screening_id"],
            team=team or "",
            runner_id=result["runner_id"],
            screened_at=screened_at,
            ruleset_version=result["ruleset"]["version"],
            intake=intake_json,
            result=result_json,
            score=result["risk"]["score"],
            band=result["risk"]["band"],
            urgency=result["referral"]["urgency"],
            fired=[entry["rule"] for entry in result["explanation"] if entry["fired"]],
            fatigue=wellness.get("fatigue"),
            soreness=wellness.get("soreness"),
            weekly_km=weeks[-1] if weeks else None,
            ostrc_severity=derived.get("ostrc_o2_severity"),
            weeks=weeks_text(intake["training"]["weekly_distance"], intake["training"].get("unit", "km")),
            **facts_stated(intake, screened_at),
            heel_raise_left=(intake.get("heel_raise") or {}).get("left"),
            heel_raise_right=(intake.get("heel_raise") or {}).get("right"),
            programme_stage=stage_of(result["programme"]) if result.get("programme") else None,
            **summary_stated(intake, result),
        )

    @classmethod
    def to_store(
        cls, intake: dict, result: dict, team: str | None, at: datetime | None = None
    ) -> tuple["ScreeningRow", bytes]:
        """Mark `result` stored and make its row and the exact JSON it is sent as (the row holds that text).

        The caller sends the bytes only once the row is committed.
        """
        result["stored"] = True
        body = orjson.dumps(result)
        intake_json = orjson.dumps(intake, default=str).decode()
        return cls.of(intake, intake_json, result, body.decode(), team, at=at), body

    def row(self) -> dict:
        return dict(self.__dict__)


def facts_stated(intake: dict, screened_at: datetime) -> dict:
    """What a screening states of the facts kept on record (series.Facts): the row's fact columns."""
    weeks = intake["runner"].get("prior_calf_strain_weeks_ago")
    corrections = intake.get("corrections") or {}
    dvt = True if intake["red_flags"].get("previous_dvt") else None
    return {
        "soreness_days": intake["wellness"].get("soreness_days"),
        # A fact stated today wins over a correction of the one on record (it is the one on record now).
        "previous_dvt": dvt or (False if corrections.get("previous_dvt_in_error") else None),
        "calf_strain_on": None if weeks is None else screened_at - timedelta(weeks=weeks),
        "calf_strain_error": True if corrections.get("calf_strain_in_error") and weeks is None else None,
    }


def summary_stated(intake: dict, result: dict) -> dict:
    """What the team page shows of a screening besides its score and stage: the team_runners columns of its row."""
    history = result.get("history") or {}
    previous = history.get("previous") or {}
    baselines = history.get("baselines") or {}
    return {
        "runner_group": intake["runner"].get("group"),
        "fatigue_z": (baselines.get("fatigue") or {}).get("z"),
        "soreness_z": (baselines.get("soreness") or {}).get("z"),
        "previous_score": previous.get("score"),
        "previous_band": previous.get("band"),
        "previous_urgency": previous.get("urgency"),
    }
