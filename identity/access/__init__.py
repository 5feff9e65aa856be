"""Access and journals: API keys, agencies, the hash-chained audit trail, the event outbox."""
