"""Where the chunks run: a map over them that yields results in roster order with bounded memory.

- `processes`: this machine's worker processes (spawned, dying with their parent)
- `dask_cluster`: a Dask cluster, local or a scheduler's (dask is imported only here)
"""
