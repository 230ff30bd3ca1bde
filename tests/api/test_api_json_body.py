"""A JSON body is read strictly: each key once, UTF-8 only, plain messages; JSON sent as a form is named."""

import json

import pytest

SCREEN, BATCH = "/v1/screenings", "/v1/screenings/batch"


def example_text(example_intake) -> str:
    return json.dumps(example_intake, indent=1)


def with_red_flag_repeated(example_intake) -> str:
    text = example_text(example_intake)
    assert '"calf_swelling": false' in text
    return text.replace('"calf_swelling": false', '"calf_swelling": true, "calf_swelling": false')


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "marshmallow"])
def test_a_key_given_twice_is_refused_naming_the_key(client, app, example_intake, monkeypatch, fast_path):
    if not fast_path:
        monkeypatch.setattr(app.extensions["soleus.screener"], "_fast", None, raising=False)
    response = client.post(SCREEN, data=with_red_flag_repeated(example_intake), content_type="application/json")
    assert response.status_code == 400
    assert "'calf_swelling' appears twice" in response.get_json()["detail"]


def test_a_key_given_twice_in_a_batch_item_is_refused_naming_the_key(client, example_intake):
    body = "[" + with_red_flag_repeated(example_intake) + "]"
    response = client.post(BATCH, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "'calf_swelling' appears twice" in response.get_json()["detail"]


def test_the_same_key_in_two_objects_is_not_a_repeat(client, example_intake):
    body = json.dumps([example_intake, example_intake])
    assert client.post(BATCH, data=body, content_type="application/json").status_code == 200


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("path", [SCREEN, BATCH])
def test_a_body_in_utf_16_or_utf_32_is_refused_as_not_utf_8(client, example_intake, encoding, path):
    text = example_text(example_intake) if path == SCREEN else "[" + example_text(example_intake) + "]"
    response = client.post(path, data=text.encode(encoding), content_type="application/json")
    assert response.status_code == 400
    assert "not UTF-8" in response.get_json()["detail"]


def test_a_utf_8_body_with_a_byte_order_mark_is_still_read(client, example_intake):
    body = b"\xef\xbb\xbf" + example_text(example_intake).encode()
    assert client.post(SCREEN, data=body, content_type="application/json").status_code == 200


def test_an_integer_past_4300_digits_gets_a_plain_message(client, example_intake):
    body = example_text(example_intake).replace('"age": 44', '"age": ' + "9" * 4301)
    response = client.post(SCREEN, data=body, content_type="application/json")
    assert response.status_code == 400
    detail = response.get_json()["detail"]
    assert "more than 4,300 digits" in detail
    assert "sys." not in detail and "set_int_max_str_digits" not in detail


def test_json_posted_as_a_form_names_the_media_type(client, example_intake):
    # What `curl --data @examples/intake.json` sends without -H 'Content-Type: application/json'.
    response = client.post(SCREEN, data=example_text(example_intake), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.get_json()["detail"]


def test_the_screen_command_refuses_a_key_given_twice(tmp_path, example_intake, capsys):
    from api.commands import main
    from api.commands.exits import EXIT_UNUSABLE

    path = tmp_path / "intake.json"
    path.write_text(with_red_flag_repeated(example_intake))
    assert main(["screen", str(path)]) == EXIT_UNUSABLE
    assert "'calf_swelling' appears twice" in capsys.readouterr().err


def test_a_json_roster_item_with_a_key_given_twice_is_that_rows_error(tmp_path, example_intake):
    import csv

    from screening.roster.run import screen_roster

    path = tmp_path / "roster.json"
    path.write_text("[" + with_red_flag_repeated(example_intake) + ", " + example_text(example_intake) + "]")
    outcome = screen_roster(path, tmp_path / "out", workers=1)
    assert (outcome.screened, outcome.invalid) == (1, 1)
    with open(tmp_path / "out" / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        [error] = list(csv.DictReader(handle))
    assert (error["row"], error["field"]) == ("1", "red_flags.calf_swelling")
    assert "more than once" in error["message"]
