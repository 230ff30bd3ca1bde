"""A body past MAX_CONTENT_LENGTH is refused whole (413), also when it is chunked (no Content-Length).

werkzeug reads a chunked body only up to the limit and would screen what came
before it; these requests are built as gunicorn passes a chunked body on:
no CONTENT_LENGTH, `wsgi.input_terminated` set.
"""

import io
import json

import pytest
from bs4 import BeautifulSoup

from api import create_app

LIMIT = 4096
CHUNKED = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}


@pytest.fixture
def client():
    return create_app({"TESTING": True, "MAX_CONTENT_LENGTH": LIMIT}).test_client()


def post_chunked(client, path: str, body: bytes, content_type: str):
    return client.post(path, input_stream=io.BytesIO(body), content_type=content_type, environ_overrides=CHUNKED)


def test_a_chunked_json_body_padded_past_the_limit_is_refused_not_cut(client, example_intake):
    body = json.dumps(example_intake).encode() + b" " * LIMIT
    response = post_chunked(client, "/v1/screenings", body, "application/json")
    assert response.status_code == 413
    assert f"{LIMIT:,} bytes" in response.get_json()["detail"]


def test_a_chunked_form_body_is_refused_by_the_json_api_before_it_is_read(client):
    form = "runner.id=club-1&runner.age=40&" + "training.unit=km&" * (LIMIT // 16) + "red_flags.calf_swelling=true"
    response = post_chunked(client, "/v1/screenings", form.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_chunked_csv_roster_past_the_limit_is_refused(client):
    rows = "runner.id,runner.age\n" + "club-1,40\n" * LIMIT
    response = post_chunked(client, "/v1/screenings/batch", rows.encode(), "text/csv")
    assert response.status_code == 413


@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT])
def test_a_chunked_body_up_to_the_limit_is_read_whole(client, example_intake, size):
    text = json.dumps(example_intake).encode()
    body = text + b" " * (size - len(text))
    response = post_chunked(client, "/v1/screenings", body, "application/json")
    assert response.status_code == 200, response.get_json()


def test_the_clinic_form_past_the_limit_is_refused_too():
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": LIMIT, "WTF_CSRF_ENABLED": False})
    form = "runner.id=club-1&" + "training.unit=km&" * (LIMIT // 16) + "red_flags.calf_swelling=true"
    response = post_chunked(app.test_client(), "/screen", form.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "urgent" not in BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text().lower()
