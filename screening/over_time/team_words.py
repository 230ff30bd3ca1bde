"""A team runner's row in words: what the team page shows and its CSV export says (never codes).

Each phrase is said once, here; the page, the API's `words` and the CSV all read it.
"""

from collections.abc import Callable
from datetime import datetime

from screening.over_time.team_view import TeamRunner

REFERRAL_WORDS = {"urgent": "urgent referral", "soon": "referral soon", "routine": "routine referral"}
NO_REFERRAL = "no referral"
CSV_COLUMNS = (
    "runner",
    "group",
    "last screened",
    "time since",
    "band",
    "score",
    "referral",
    "change since previous",
    "score change",
    "fatigue against own baseline",
    "soreness against own baseline",
    "programme stage",
)


def referral(urgency: str | None) -> str:
    return REFERRAL_WORDS.get(urgency or "", NO_REFERRAL)


def time_since(then: datetime, now: datetime) -> str:
    """ "today", "1 day ago", "12 days ago", "5 weeks ago": whole days, whole weeks from 4 weeks."""
    days = max((now.date() - then.date()).days, 0)
    if days == 0:
        return "today"
    if days < 28:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return f"{days // 7} weeks ago"


def change(runner: TeamRunner) -> str:
    """What changed since the previous screening: the band's move, a new or cleared referral."""
    if runner.previous_band is None:
        return "first screening"
    parts = []
    if runner.band_change == "up":
        parts.append(f"up a band (was {runner.previous_band})")
    elif runner.band_change == "down":
        parts.append(f"down a band (was {runner.previous_band})")
    if runner.referral_change == "new_referral":
        parts.append(f"new {referral(runner.urgency)}")
    elif runner.referral_change == "cleared_referral":
        parts.append(f"{referral(runner.previous_urgency)} cleared")
    elif runner.urgency and runner.urgency != runner.previous_urgency:
        parts.append(f"now {referral(runner.urgency)} (was {referral(runner.previous_urgency)})")
    return ", ".join(parts) or "same band"


def score_change(runner: TeamRunner) -> str:
    found = runner.score_change
    if found is None:
        return "no previous screening"
    return "no change" if found == 0 else f"{found:+d} points"


def baseline(z: float | None, z_high: float) -> str:
    """A z-score against the runner's own baseline in words ("not assessed" without a baseline)."""
    if z is None:
        return "not assessed (too few earlier screenings)"
    side = "above" if z >= 0 else "below"
    if abs(z) >= z_high:
        return f"{abs(z):.1f} SD {side} their own baseline (well {side})"
    return f"{abs(z):.1f} SD {side} their own baseline"


def alert(z: float | None, z_high: float) -> str | None:
    """up / down when the z-score is at least `z_high` SD from the baseline, else None (no alert)."""
    if z is None or abs(z) < z_high:
        return None
    return "up" if z > 0 else "down"


def csv_row(runner: TeamRunner, now: datetime, z_high: float, stage_words: Callable[[str | None], str]) -> list[str]:
    """The runner's CSV row in words, in CSV_COLUMNS' order (`stage_words`: a stored stage in the programme's words)."""
    return [
        runner.runner_id,
        runner.group or "",
        runner.screened_at.strftime("%Y-%m-%d %H:%M UTC"),
        time_since(runner.screened_at, now),
        runner.band,
        str(runner.score),
        referral(runner.urgency),
        change(runner),
        score_change(runner),
        baseline(runner.fatigue_z, z_high),
        baseline(runner.soreness_z, z_high),
        stage_words(runner.programme_stage),
    ]
