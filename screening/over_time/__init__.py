"""A runner over time: what their earlier screenings add to this one, and a team's runners as a coach follows them.

Pure domain code: it computes from screenings already read and never opens a
database (the store, screening/history/, reads the rows and gives them here;
nothing here imports it), so `import screening.service` loads no SQLAlchemy.

    series          a runner's earlier screenings (RunnerHistory, Facts): baselines, soreness chain, merged weeks
    inputs          the rule inputs those give (soreness across screenings, baselines, facts on record)
    since_previous  the result's `history` section: what changed since the previous screening
    team_view       a team's runners, each one's latest screening and its change (TeamRunner, TeamFilters, TeamView)
    team_words      a team runner's row in words, for the team page, its API `words` and its CSV export
"""
