"""The registry: persons and national IDs, merges, kinship, life events (deaths)."""
