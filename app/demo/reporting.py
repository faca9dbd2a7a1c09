"""Demo: two closed cycles and one open cycle with a half-filled draft (issue 5)."""


def seed(secretariat, versions, orgs, rng) -> list:
    return []
