"""The comparison of two versions: statuses per principle and the word-level difference."""

from __future__ import annotations

from app.charter.diff import (
    ADDED,
    REMOVED,
    RENUMBERED,
    REWORDED,
    UNCHANGED,
    PrincipleRecord,
    Segment,
    compare,
    readable_text,
    word_diff,
)


def _text(segments, ops=("equal", "delete")):
    return "".join(s.text for s in segments if s.op in ops)


def test_word_diff_marks_whole_words_and_rebuilds_both_texts():
    old = "We will run disclosure programmes and publish how to report."
    new = "We will run disclosure programmes, publish how to report, and fix flaws."
    segments = word_diff(old, new)
    assert _text(segments, ("equal", "delete")) == old
    assert _text(segments, ("equal", "insert")) == new
    assert Segment("delete", " and") in segments
    assert Segment("insert", ", and fix flaws") in segments


def test_adjacent_word_changes_read_as_one_change():
    segments = word_diff("the quick brown fox", "the slow red fox")
    assert segments == [
        Segment("equal", "the "),
        Segment("delete", "quick brown"),
        Segment("insert", "slow red"),
        Segment("equal", " fox"),
    ]


def test_identical_texts_have_one_equal_segment():
    assert word_diff("Same words.", "Same words.") == [Segment("equal", "Same words.")]
    assert word_diff("", "") == []
    assert word_diff("", "New") == [Segment("insert", "New")]


def test_readable_text_drops_markup_keeps_paragraphs_and_list_items():
    text = readable_text("We **will**:\n\n- protect [users](https://example.org)\n- report\n")
    assert text == "We will:\n• protect users\n• report"


def _r(key, number, title, body="", theme=""):
    return PrincipleRecord(key, number, title, body, theme)


def test_compare_classifies_every_principle_by_identity():
    old = [
        _r("P1", 1, "Protect", "Body one"),
        _r("P2", 2, "Oppose", "Body two"),
        _r("P3", 3, "Disclose", "Run a programme."),
        _r("P4", 4, "Old", "Gone soon"),
    ]
    new = [
        _r("P1", 1, "Protect", "Body one"),
        _r("P5", 2, "Design", "Secure by default"),
        _r("P2", 3, "Oppose", "Body two"),
        _r("P3", 4, "Disclose", "Run a programme, fix."),
    ]
    result = compare(old, new)
    statuses = {c.key: c.status for c in result.changes}
    assert statuses == {
        "P1": UNCHANGED,
        "P5": ADDED,
        "P2": RENUMBERED,
        "P3": REWORDED,
        "P4": REMOVED,
    }
    assert [c.key for c in result.changes] == ["P1", "P5", "P2", "P3", "P4"]
    reworded = result.with_status(REWORDED)[0]
    assert reworded.renumbered and reworded.body_changed and not reworded.title_changed
    assert Segment("insert", ", fix") in reworded.body_diff
    assert result.counts == {ADDED: 1, REMOVED: 1, REWORDED: 1, RENUMBERED: 1, UNCHANGED: 1}
    assert result.renumbered_count == 2
    assert result.has_changes


def test_markup_only_changes_are_not_rewording_but_titles_and_themes_are():
    old = [_r("P1", 1, "Protect", "We *will* protect."), _r("P2", 2, "Oppose", "x", "Rights")]
    new = [_r("P1", 1, "Protect", "We will protect."), _r("P2", 2, "Oppose!", "x", "Peace")]
    result = compare(old, new)
    assert result.changes[0].status == UNCHANGED
    second = result.changes[1]
    assert second.status == REWORDED and second.title_changed and second.theme_changed
    assert second.title_diff == [Segment("equal", "Oppose"), Segment("insert", "!")]


def test_title_and_preamble_changes_are_reported():
    same = [_r("P1", 1, "A", "b")]
    result = compare(
        same,
        same,
        old_title="Accord",
        new_title="Accord",
        old_preamble="We commit.",
        new_preamble="We **all** commit.",
    )
    assert not result.title_changed and result.preamble_changed
    assert Segment("insert", " all") in result.preamble_diff
    assert not compare(same, same).has_changes
