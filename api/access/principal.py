"""Who is asking: a key, an account, a token of the clinic's identity provider; their teams and scopes.

    SCOPES   screen         POST /v1/screenings, /v1/screenings/batch, FHIR $screen, the clinic form
             history:read   a runner's screenings, one screening, the trend, the form's prefill
             history:erase  DELETE a runner
             admin          the audit trail
    ROLES    coach          history:read                  (sees their teams' screenings and trends)
             clinician      screen, history:read          (screens, reads and writes their teams)
             admin          every scope                   (also erases, reads the audit trail)

A principal belongs to one team or several (an account, a token with a list
of teams), or to every team (`teams=None`: the first admin made by `serve`).
"""

from dataclasses import dataclass

SCREEN, READ, ERASE, ADMIN = "screen", "history:read", "history:erase", "admin"
SCOPES = (SCREEN, READ, ERASE, ADMIN)
ROLES = {
    "coach": frozenset({READ}),
    "clinician": frozenset({SCREEN, READ}),
    "admin": frozenset(SCOPES),
}
EVERY_TEAM = "*"  # an account's teams ["*"]: every team


@dataclass(frozen=True)
class Principal:
    """An identified caller: `actor` as the audit trail names it, `kind` what identified them."""

    actor: str | None
    kind: str  # key | account | oidc | anonymous (AUTH=off)
    scopes: frozenset[str]
    teams: frozenset[str] | None  # None: every team
    key_id: str | None = None
    role: str | None = None

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    def has_team(self, team: str) -> bool:
        return self.teams is None or team in self.teams

    @property
    def only_team(self) -> str | None:
        """The one team of a principal that has exactly one."""
        if self.teams is not None and len(self.teams) == 1:
            return next(iter(self.teams))
        return None


# AUTH=off: the in-process test client and a loopback-only service, as before access control.
ANONYMOUS = Principal(actor=None, kind="anonymous", scopes=frozenset(SCOPES), teams=None)


def teams_of(stored: list[str]) -> frozenset[str] | None:
    """The teams an account or session row holds (["*"] is every team)."""
    return None if EVERY_TEAM in stored else frozenset(stored)


def of_role(actor: str, kind: str, role: str, teams: frozenset[str] | None) -> Principal:
    """A signed-in person: the scopes of their role."""
    return Principal(actor=actor, kind=kind, scopes=ROLES[role], teams=teams, role=role)
