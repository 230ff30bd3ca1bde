"""The parent's coach's report: the chunks added up, then one self-contained HTML page.

- `totals`: `RosterReport`, which adds each chunk's counts, records and rows up in roster order
- `page`: renders the page from the totals (template, script and palette read as package data)
- `templates/`: report.html and its script, report.js
"""
