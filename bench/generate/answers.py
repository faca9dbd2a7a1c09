"""Answers and the snapshot they are frozen in: one answer drawn per question, already as the
JSON text stored (the same text goes into the snapshot and into `submitted_answers`), and the
snapshot of a submitted version written as text, piece by piece, in the format of
docs/architecture.md."""

from __future__ import annotations

import datetime as dt
import random

from bench.generate.common import dumps
from bench.generate.state import Cycle, Org


def draw(rng: random.Random, q: dict, slug: str, year: int, shown: bool) -> tuple[bool, str, str]:
    """One answer as (is_yes, value JSON, display JSON)."""
    if not shown or (not q["required"] and rng.random() < 0.15):
        return False, "null", '""'
    t = q["type"]
    if t == "yes_no":
        return (True, "true", '"Yes"') if rng.random() < 0.78 else (False, "false", '"No"')
    if t == "single_choice" or t in ("short_text", "long_text"):
        return (False, *rng.choice(q["json_choices"]))
    if t == "multiple_choice":
        picked = sorted(rng.sample(range(len(q["choices"])), rng.randrange(1, 4)))
        value = [q["choices"][i] for i in picked]
        return False, dumps(value), dumps(", ".join(value))
    if t == "number":
        value = min(
            int(rng.paretovariate(1.2) * 3) if q["unit"] else rng.randrange(0, 400), 100_000
        )
        return False, str(value), f'"{value:,}{" " + q["unit"] if q["unit"] else ""}"'
    if t == "url":
        url = f'"https://www.{slug[:40]}.example/policy"'
        return False, url, url
    if t == "date":
        day = f'"{(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(150))).isoformat()}"'
        return False, day, day
    return False, "null", '""'  # evidence: the files are listed instead


def question_meta(cycle: Cycle) -> dict[int, str]:
    """Per question id, the start of its snapshot object (everything but the answer), open."""
    return {
        q["id"]: (
            f'{{"id":{q["id"]},"lineage":{dumps(q["lineage"])},'
            f'"text":{dumps(q["text"])},"type":{dumps(q["type"])},'
            f'"unit":{dumps(q["unit"])},"required":{dumps(q["required"])},'
            f'"is_public":{dumps(q["is_public"])},'
            f'"is_indicator":{dumps(q["is_indicator"])},'
            f'"choices":{dumps(q["choices"])}'
        )
        for q in cycle.questions
    }


def question_part(meta: str, shown: bool, value: str, display: str, evidence: str) -> str:
    return (
        f'{meta},"shown":{"true" if shown else "false"},'
        f'"value":{value},"display":{display},"evidence":{evidence}}}'
    )


def section_part(section: dict, question_parts: list[str]) -> str:
    pid = section["principle_id"]
    return (
        f'{{"id":{section["id"]},"title":{dumps(section["title"])},'
        f'"principle":{{"id":{pid},"key":"P{pid}","number":{pid}}},'
        f'"questions":[{",".join(question_parts)}]}}'
    )


def snapshot(cycle: Cycle, org: Org, section_parts: list[str], attestation: dict) -> str:
    cycle_json = dumps(
        {"id": cycle.id, "year": cycle.year, "title": f"{cycle.year} reporting cycle"}
    )
    org_json = dumps(
        {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "country": org.country,
            "category": org.category,
        }
    )
    version_json = dumps({"id": cycle.charter_version_id, "number": cycle.charter_version_id})
    return (
        f'{{"schema":1,"cycle":{cycle_json},"organisation":{org_json},'
        f'"charter_version":{version_json},"questionnaire_hash":"{cycle.q_hash}",'
        f'"sections":[{",".join(section_parts)}],"pledges":[],'
        f'"attestation":{dumps(attestation)}}}'
    )
