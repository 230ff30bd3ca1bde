"""GET /metrics: the Prometheus text format, added up across gunicorn's workers, scraped during load; with
access control on it needs the admin scope."""

import http.client
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support import launch
from tests.support.credentials import access_app, bearer, key
from tests.support.history_rows import EXAMPLE

POSTS = 60


def sample(text: str, name: str, **labels) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(label) == value for label, value in labels.items()):
            total += float(match.group(2))
    return total


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def test_metrics_scraped_during_load_count_every_answer_of_every_worker():
    with launch.start(launch.serve_command("--workers", "2", "--threads", "4")) as server:

        def post(n: int) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": f"metrics-{n % 7}"})
            connection.request("POST", "/v1/screenings", json.dumps(payload), {"Content-Type": "application/json"})
            status = connection.getresponse().status
            connection.close()
            return status

        scrapes: list[tuple[int, str]] = []
        done = threading.Event()

        def scrape() -> None:
            while not done.is_set():
                scrapes.append(get(server.port, "/metrics"))

        scraper = threading.Thread(target=scrape)
        scraper.start()
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(post, range(POSTS)))
        done.set()
        scraper.join(60)
        status, final = get(server.port, "/metrics")
    assert statuses == [200] * POSTS
    assert scrapes and {code for code, _ in scrapes} == {200}
    assert status == 200
    assert sample(final, "soleus_requests_total", endpoint="/v1/screenings", method="POST", status="200") == POSTS
    assert sample(final, "soleus_screenings_total") == POSTS
    assert sample(final, "soleus_store_batch_rows_sum") >= POSTS  # each screening in a commit, with its audit
    assert sample(final, "soleus_store_commit_seconds_count") >= 1
    assert sample(final, "soleus_request_seconds_count", endpoint="/v1/screenings") == POSTS
    # Two workers answered them and the last scrape counts all: the numbers are added up across processes.
    # Scrapes during the load see the count only grow, whichever worker answered the scrape.
    counts = [sample(text, "soleus_requests_total", endpoint="/v1/screenings") for _, text in scrapes]
    assert counts == sorted(counts)


def test_metrics_count_a_posted_rosters_rows_screened_and_invalid():
    from api import create_app

    client = create_app().test_client()

    def rows(outcome: str) -> float:
        return sample(client.get("/metrics").get_data(as_text=True), "soleus_roster_rows_total", outcome=outcome)

    before = {outcome: rows(outcome) for outcome in ("screened", "invalid")}
    bad = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": "metrics-bad", "age": "forty"})
    answer = client.post("/v1/screenings/batch", json=[EXAMPLE, bad, EXAMPLE])
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["summary"]["screened"] == 2 and answer.get_json()["summary"]["invalid"] == 1
    assert rows("screened") - before["screened"] == 2
    assert rows("invalid") - before["invalid"] == 1


def test_metrics_need_the_admin_scope_when_access_control_is_on(tmp_path):
    app = access_app(tmp_path)
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(key(app, "club-a", "screen,history:read"))).status_code == 403
    answer = client.get("/metrics", headers=bearer(key(app, "club-a", "admin")))
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    assert "soleus_requests_total" in answer.get_data(as_text=True)
