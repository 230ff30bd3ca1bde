"""Two `soleus-screen serve` replicas (real gunicorn, 2 workers each) over one PostgreSQL, screening the same
runners alternately: every answer is stored once, each runner's history is one chain across both, and a CDS
token accepted by one replica is refused by the other."""

import http.client
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import text

from screening.history import migrate
from screening.history.database import make_engine
from tests.api.clinic_systems.test_cds_hooks import ISSUER, SERVICE, _hook
from tests.screening.ruleset.test_rules_cases import _base
from tests.support import launch
from tests.support.databases import postgres_database
from tests.support.history_rows import EXAMPLE

RUNNERS, ROUNDS = 6, 10


def request(port: int, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def test_two_replicas_over_one_postgresql_store_each_answer_once_in_one_history_and_refuse_cds_replays(tmp_path):
    key = ec.generate_private_key(ec.SECP384R1())
    public = jwt.get_algorithm_by_name("ES384").to_jwk(key.public_key(), as_dict=True)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "ec-1", "alg": "ES384", "use": "sig"}]}))
    with postgres_database() as url:
        migrate.upgrade(make_engine(url))
        env = {
            "SOLEUS_DATABASE_URL": url,
            "SOLEUS_CDS_CLIENTS": json.dumps({ISSUER: str(jwks)}),
            "SOLEUS_CDS_BASE_URL": "https://screen.example.test",
        }
        command = launch.serve_command("--workers", "2", "--threads", "4")
        with launch.start(command, env=env) as first, launch.start(command, env=env) as second:
            ports = [first.port, second.port]

            def screen_runner(runner: int) -> list[dict]:
                answers = []
                for round_ in range(ROUNDS):
                    payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": f"replica-{runner}"})
                    status, answer = request(ports[(runner + round_) % 2], "/v1/screenings?team=club-r", payload)
                    assert status == 200, answer
                    answers.append(answer)
                return answers

            with ThreadPoolExecutor(RUNNERS) as pool:
                answers = [answer for runner in pool.map(screen_runner, range(RUNNERS)) for answer in runner]
            now = int(time.time())
            claims = {"iss": ISSUER, "aud": "https://screen.example.test" + SERVICE, "iat": now, "exp": now + 120}
            token = jwt.encode({**claims, "jti": str(uuid.uuid4())}, key, algorithm="ES384", headers={"kid": "ec-1"})
            authorised = {"Authorization": f"Bearer {token}"}
            accepted = request(first.port, SERVICE, _hook(_base()), authorised)
            replayed = request(second.port, SERVICE, _hook(_base()), authorised)
        engine = make_engine(url)
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT screening_id, result FROM screenings")).all())
        engine.dispose()
    assert all(answer["stored"] is True for answer in answers)
    assert len(rows) == len(answers) == RUNNERS * ROUNDS
    assert {answer["screening_id"] for answer in answers} == set(rows)
    for runner in range(RUNNERS):
        mine = [answer for answer in answers if answer["runner_id"] == f"replica-{runner}"]
        named = [(answer["history"] or {}).get("previous") for answer in mine]
        # In order, each names the one before it: one history, whichever replica took each.
        assert named[0] is None
        assert [entry["screening_id"] for entry in named[1:]] == [answer["screening_id"] for answer in mine[:-1]]
    assert accepted[0] == 200, accepted
    assert replayed[0] == 401 and "used before" in replayed[1]["detail"]
