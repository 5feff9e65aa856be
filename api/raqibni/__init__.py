"""Raqibni (راقبني) for citizens: the public complaints page at ``/raqibni/``.

Arabic, right-to-left, phone-sized, no asset from the network: two pages (file a complaint,
follow one by tracking number), one same-origin script that solves the proof-of-work challenge
and talks to two small JSON endpoints. Abuse resistance: per-address limits (in memory, per
process), a proof-of-work challenge that needs no outside service (``pow``), size limits on
every field and on the photo. Staff answer in the admin pages (``api.admin.complaints``).
"""
