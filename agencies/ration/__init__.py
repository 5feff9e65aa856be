"""The Ministry of Trade's ration card on the unified ID (issue 9).

Households and members (one open card per person), eligibility rules as dated data, blocks fed
by other agencies' feeds and by the identity event feed (deaths), distribution rounds and
receipts after a 1:1 biometric verify, and "Raqibni" complaints. Talks to the registry only
through ``identity``'s service functions (persons, events, agency verify, journal).

Who calls what (every caller holds an agency key with the ``ration`` scope):
- the ministry's staff and systems (registration centres, the citizen portal "Raqibni", the
  reports desk): any ``ration`` key that is *not* registered as an agent;
- licensed agents: a ``ration`` key of the ministry registered in ``ration_agents`` with its
  licence number; agents record receipts and read cards, nothing else;
- feed providers (payroll, tax authority, company registry, syndicates, travel, prisons): a
  ``ration`` key of their own agency; the batch records the agency that sent it.
Citizens hold no keys: the ministry's portal files and reads complaints for them, naming the
citizen by national ID; the status of a complaint is only shown with that same national ID.
"""
