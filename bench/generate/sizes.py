"""How big the synthetic alliance is (`Sizes`, with the seed), and the published credentials of
its accounts."""

from __future__ import annotations

import dataclasses

PASSWORD = "bench-password-2026"  # noqa: S105  (a synthetic data set's published password)
SECRETARIAT_EMAIL = "secretariat@bench.pactum.example"


@dataclasses.dataclass(frozen=True)
class Sizes:
    orgs: int = 25_000
    cycles: int = 10
    reports: int = 150_000
    questions: int = 40
    principles: int = 10
    pledges: int = 60_000
    files: int = 3_000
    representatives: int = 3_000
    seed: int = 2026

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(orgs=120, cycles=2, reports=150, pledges=200, files=12, representatives=40)

    def label(self) -> str:
        return (
            f"s{self.seed}-o{self.orgs}-c{self.cycles}-r{self.reports}-q{self.questions}"
            f"-p{self.principles}-pl{self.pledges}-f{self.files}-u{self.representatives}"
        )
