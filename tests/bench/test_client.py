"""The benchmark's HTML form parser (bench/client.py) sends what a browser would: named
controls only, checked boxes only, no files; buttons apart; fields inside a conditional block
marked so; links found inside and outside forms."""

from __future__ import annotations

from bench.client import Field, parse

PAGE = """
<a href="/x">x</a><a>no href</a>
<input name="outside" value="1">
<form action="/save" method="POST" enctype="multipart/form-data" data-x>
 <div data-condition="q1" hidden>
  <input name="a" value="1"><input name="b" type="checkbox" checked><input name="c" type="checkbox">
  <input name="r" type="radio" value="v" checked><input type="text" value="no name">
  <textarea name="t">hello &amp; bye</textarea>
 </div>
 <select name="s"><option value="1">1</option><option value="2" selected>2</option></select>
 <select name="s2"><option>a</option><option value="z">z</option></select>
 <select><option value="orphan">o</option></select>
 <input name="f" type="file"><input name="go" type="submit" value="Go"><input name="img" type="image">
 <button name="b1" value="v1">B</button><button>no name</button>
 <br><img src=x><a href="/in-form">in</a>
</form>
<form><input name="q"></form>
"""


def test_forms_fields_buttons_and_links():
    forms, links = parse(PAGE)
    assert links == ["/x", "/in-form"]
    first, second = forms
    assert (first.action, first.method, first.enctype) == ("/save", "post", "multipart/form-data")
    assert first.attrs == {
        "action": "/save",
        "method": "POST",
        "enctype": "multipart/form-data",
        "data-x": "",
    }
    assert first.fields == [
        Field("a", "text", "1", True),
        Field("b", "checkbox", "on", True),
        Field("r", "radio", "v", True),
        Field("t", "textarea", "hello & bye", True),
        Field("s", "select", "2", False),
        Field("s2", "select", "z", False),
    ]
    assert first.buttons == [("go", "Go"), ("img", ""), ("b1", "v1")]
    assert (second.method, second.fields, second.buttons) == (
        "get",
        [Field("q", "text", "", False)],
        [],
    )


def test_a_row_where_no_request_finished_is_not_a_pass():
    from bench.report import Row, _result, judge

    row = Row("api", "API", rps=0.0, p99=0.0, targets=("p99",))
    judge(row)
    assert row.status == "error" and _result(row).startswith("error: no request finished")
    # Requests finished in some A/B rounds, but the median round finished none.
    median = Row("search", "Search", rps=0.0, p99=0.0, requests=12, targets=("search_p99",))
    judge(median)
    assert median.status == "error" and not median.verdicts
    fast = Row("api", "API", rps=900.0, p99=12.0, requests=9000, targets=("p99",))
    judge(fast)
    assert _result(fast) == "pass"
