"""The enrollment station: the web app a civil-status office's clerk uses (``/station/``), and
the glue between a station's packet and the capture-trust check."""
