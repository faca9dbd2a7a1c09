"""/open-data/<year>.zip: CSVs of members, reports, questions, public answers and pledges
with a datapackage.json that frictionless validates; public data only; built once per
change."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import frictionless

from app.core import signals
from app.db import db
from tests.transparency.builders import make_report


def _zip(client, year=2025) -> zipfile.ZipFile:
    response = client.get(f"/open-data/{year}.zip")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _rows(archive, name) -> list[dict]:
    return list(csv.DictReader(io.TextIOWrapper(archive.open(f"{name}.csv"), "utf-8")))


def test_the_package_is_valid_frictionless(client, world, tmp_path):
    archive = _zip(client)
    archive.extractall(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["name"] for r in package["resources"]} == {
        "members",
        "reports",
        "questions",
        "answers",
        "pledges",
    }
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_package_holds_public_data_only(client, world):
    archive = _zip(client)
    reports = {(r["member"], r["year"]) for r in _rows(archive, "reports")}
    assert reports == {
        ("alpha-security", "2025"),
        ("beta-telecom", "2025"),
        ("delta-university", "2025"),
    }
    questions = {q["lineage"] for q in _rows(archive, "questions")}
    assert questions == {"mfa", "days", "story"}
    answers = {(a["member"], a["question_id"]): a["value"] for a in _rows(archive, "answers")}
    assert "true" in answers.values() and "10" in answers.values()
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"ciso@", b"Internal contact", b"Private pledge", b"Officer"):
        assert secret not in everything


def test_built_once_per_change(client, world, app, secretariat):
    first = client.get("/open-data/2025.zip")
    again = client.get("/open-data/2025.zip")
    assert first.data == again.data
    folder = app.instance_path + "/opendata"
    before = sorted(p for p in __import__("os").listdir(folder) if p.startswith("2025-"))
    assert len(before) == 1
    report = make_report(world.c2025, world.gamma, {world.q2025.mfa: True})
    signals.report_accepted.send(report.versions[-1], actor=secretariat)
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/open-data/2025.zip").data))
    assert "gamma-rights" in {r["member"] for r in _rows(archive, "reports")}
    after = sorted(p for p in __import__("os").listdir(folder) if p.startswith("2025-"))
    assert len(after) == 1 and after != before


def test_a_year_without_a_cycle_is_404(client, world):
    assert client.get("/open-data/1999.zip").status_code == 404
