"""The docs test's comparison of a shown answer with the real one catches what went stale, and only that."""

import textwrap

from tests.support.docs_examples import blocks, compare

REAL = (
    "HTTP/1.1 200 OK\nServer: gunicorn\nContent-Type: application/json\nX-Request-ID: 1f\n\n"
    '{"screening_id": "abc", "risk": {"score": 55, "band": "high"}, '
    '"referral": {"required": true, "urgency": "routine", "reasons": ["a.b", "c.d"]}, '
    '"explanation": [{"rule": "x", "points": 7}]}'
)


def shown(body: str, status: str = "HTTP/1.1 200 OK") -> str:
    return f"{status}\nContent-Type: application/json\n\n{body}"


def test_an_answer_whose_stable_parts_match_passes_though_ids_and_times_differ():
    body = '{"screening_id": "zzz", "risk": {"score": 55, "band": "high"}, "explanation": ["...", {"rule": "x"}]}'
    assert compare(shown(body), REAL, "text") == []


def test_a_different_score_band_or_referral_is_reported():
    assert compare(shown('{"risk": {"score": 54, "band": "high"}}'), REAL) == ["$.risk.score: shown 54, real 55"]
    assert compare(shown('{"risk": {"band": "low"}}'), REAL) == ["$.risk.band: shown 'low', real 'high'"]
    assert compare(shown('{"referral": {"reasons": ["a.b"]}}'), REAL) != []


def test_a_field_the_real_answer_lacks_is_reported():
    assert compare(shown('{"risk": {"multiple": 4}}'), REAL) == [
        "$.risk: field 'multiple' shown, not in the real answer"
    ]


def test_a_different_status_line_or_header_is_reported():
    problems = compare(shown("{}", "HTTP/1.1 422 UNPROCESSABLE ENTITY"), REAL)
    assert problems == ["status line: shown 'HTTP/1.1 422 UNPROCESSABLE ENTITY', real 'HTTP/1.1 200 OK'"]
    assert compare("HTTP/1.1 200 OK\nContent-Type: text/html\n\n", REAL) != []


def test_json_abbreviated_with_bare_ellipses_is_still_compared():
    assert compare('{"risk": {"score": 55, ...}, ...}', REAL.partition("\n\n")[2], "json") == []
    assert compare('{"risk": {"score": 9, ...}, ...}', REAL.partition("\n\n")[2], "json") != []


def test_plain_text_is_compared_line_by_line_up_to_an_ellipsis():
    assert compare("200\nsoleus-screen ...", "200\nsoleus-screen ['/a']\n") == []
    assert compare("200", "401\n") == ["$: shown 200, printed 401"]
    assert compare("ready", "starting\n") == ["line 1: shown 'ready', printed 'starting'"]


def test_a_not_run_mark_and_the_answers_belong_to_the_block_they_follow(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        textwrap.dedent(
            """\
            <!-- not-run: needs a second server -->
            ```sh
            serve
            ```

            ```sh
            curl x
            ```

            ```json
            {"a": 1}
            ```

            # A heading

            ```text
            not an answer
            ```
            """
        )
    )
    first, second, answer, after_heading = blocks(page)
    assert (first.mark, first.mark_value, first.answers) == ("not-run", "needs a second server", [])
    assert second.answers == [answer] and answer.text == '{"a": 1}\n'
    assert after_heading not in second.answers
