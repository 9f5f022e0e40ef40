"""济时办 — a city's social governance service centre platform."""
