"""How the registry finds an initiative and the events it knew: ids given later (aliases),
and the log as known at a moment (`known_at`, by when each event was recorded)."""
