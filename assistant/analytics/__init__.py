"""Registry analytics: counts, charts, groups of similar functions, positions, assessment proposals."""
