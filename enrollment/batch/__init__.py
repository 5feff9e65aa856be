"""Batch import of the legacy registers (civil status, nationality, residence, ration).

``sources``/``nist``: readers; ``worker``: validation and extraction in worker processes;
``writer``: the one writer deciding each record by the rules of live enrollment; ``job``: the
resumable job; ``report``: JSON/HTML/rejects; ``generator``: planted test batches.
"""
