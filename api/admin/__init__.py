"""The adjudication workbench: server-rendered admin pages (Jinja2), no network assets."""
