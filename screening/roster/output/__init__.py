"""The parent writes a run's files: staged in a hidden folder, published into DIR only when all is written.

- `folder`: `OutputFiles`, the run's files (results.csv, errors.csv, results.jsonl, report.html, results.parquet)
- `staging`: marks a staging folder with its owner and removes those of runs that are provably dead
- `redact`: takes an erased runner out of run folders (`soleus-screen erase --runs`)
"""
