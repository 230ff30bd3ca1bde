"""The HTML pages for people: the clinic form and note, the rulebook, the team, runner and programme pages.

    form.py             the clinic intake form and the clinician's result page (the pages' shared headers)
    form_fields.py      the posted form read into intake fields, and errors placed back on inputs
    clinic_note.py      what the clinical note shows of one screening
    history_view.py     the result page's "Previous screenings" and the runner page's: the stored screenings
    trend_chart.py      those screenings as a dated trend: the drawing's coordinates, score and soreness by date
    rulebook_pages.py   /rules: every rule in words, with its thresholds, points and evidence
    team_pages.py       a coach's view of their team over time
    runner_pages.py     a runner's stored screenings as a page
    programme_pages.py  the soleus programme as a printable page

Their templates and static files stay in api/templates and api/static.
"""
