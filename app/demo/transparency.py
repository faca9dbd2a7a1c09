"""Demo: the annual report of the last closed cycle, published (issue 6)."""


def seed(secretariat, cycles) -> None:
    return None
