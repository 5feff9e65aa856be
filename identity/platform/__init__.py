"""Platform kit: settings, database, encryption, domain errors, strict media decoding."""
