"""The Ministry of Trade's ration card on the unified ID (issues 9 and 21).

Households and members (one open card per person); eligibility rules as dated data (the
Cabinet decision in force 1 June 2021 and its later ceiling); blocks decided by other agencies'
feeds (``feeds``: each row a dated fact, the latest per person and stream decides), by the
household's total income (``income``) and by the identity event feed (deaths), every block with
the feed row and rule version behind it (``explain``: Arabic and English); appeals that hold
(``appeals``); life events that propose changes as staff tasks (``proposals``, ``tasks``);
distribution rounds and receipts after a 1:1 biometric verify; "Raqibni" complaints. Talks to
the registry only through ``identity``'s service functions (persons, kinship, events, keys,
agency verify, journal), never through its tables.

Who calls what (every API caller holds an agency key with the ``ration`` scope):
- the ministry's staff and systems (registration centres, the complaints desk, the reports
  desk): any ``ration`` key that is *not* registered as an agent;
- licensed agents: a ``ration`` key of the ministry registered in ``ration_agents`` with its
  licence number; agents record receipts and read cards, nothing else;
- feed providers (payroll, pensions, tax authority, company registry, syndicates, travel,
  prisons, security, the nationality register): a ``ration`` key of their own agency; the batch
  records the agency that sent it.
Citizens hold no keys: they file and follow complaints on the public page ``/raqibni/`` by
tracking number (``complaint_public``), or the ministry's portal files for them by national ID.
"""
