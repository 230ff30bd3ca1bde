"""`soleus-screen serve` on real servers: it ends its start-up with where to go, and a busy port is one line."""

import subprocess
import time
import urllib.request

import pytest

from tests.support import launch

READY = "soleus-screen is ready on "


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("start")
    env = {"SOLEUS_DATABASE_URL": f"sqlite:///{folder / 'history.sqlite3'}"}
    with launch.start(launch.serve_command("--workers", "2", "--threads", "2"), env=env) as running:
        yield running


def ready_lines(server, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = server.lines()
        for at, line in enumerate(lines):
            if line.startswith(READY):
                following = lines[at:]
                if any(line.startswith("Stop it with") for line in following):
                    return following
        time.sleep(0.1)
    raise AssertionError("no ready lines:\n" + "\n".join(server.lines()))


def test_start_up_ends_with_the_addresses_of_the_form_the_api_docs_and_the_health_check(server):
    lines = ready_lines(server)
    base = f"http://127.0.0.1:{server.port}"
    assert lines[0] == f"{READY}{base} (2 workers x 2 threads)"
    shown = {line.split()[-1] for line in lines if line.strip().endswith(("/", "/docs", "/health"))}
    assert shown == {f"{base}/", f"{base}/docs", f"{base}/health"}
    for url in shown:
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
    # Every worker had started: the ready lines come after each "Booting worker" line.
    everything = server.lines()
    assert max(at for at, line in enumerate(everything) if "Booting worker" in line) < everything.index(lines[0])


def test_optional_parts_that_are_off_are_said_as_information_with_how_to_turn_them_on(server):
    lines = ready_lines(server)
    cds = next(line for line in lines if line.strip().startswith("CDS Hooks"))
    assert "off" in cds and "SOLEUS_CDS_CLIENTS" in cds
    assert any(line.strip().startswith("history") and "SQLite file" in line for line in lines)
    before_gunicorn = server.lines()[
        : next(at for at, line in enumerate(server.lines()) if "Starting gunicorn" in line)
    ]
    assert not [line for line in before_gunicorn if "CDS" in line or "warning" in line.lower()]


def test_a_second_server_on_a_busy_port_says_so_in_one_line_naming_the_port_and_the_option(server):
    command = launch.serve_command()
    command[command.index("--port") + 1] = str(server.port)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 3
    assert f"port {server.port}" in lines[0] and "--port" in lines[0]
    assert "another soleus-screen" in lines[0]
    assert "Connection in use" not in done.stderr
    assert seconds < 15  # at once, not after gunicorn's five retries and the rules' loading


def test_a_port_held_by_another_program_is_said_without_loading_the_rules():
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        command = launch.serve_command()
        command[command.index("--port") + 1] = str(holder.getsockname()[1])
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "another program holds it" in done.stderr and "--port" in done.stderr


def test_the_ready_lines_say_a_part_turned_off_and_an_address_on_every_interface():
    from api import create_app
    from api.commands.serve_ready import ready_lines

    app = create_app({"STORE": "off", "CDS_AUTH": "off"})
    lines = ready_lines(app, host="0.0.0.0", port=8000, workers=2, threads=8)
    assert lines[0] == f"{READY}http://127.0.0.1:8000 (2 workers x 8 threads), listening on every interface"
    parts = {line.split()[0]: line for line in lines[1:]}
    assert "off (SOLEUS_STORE=off)" in parts["history"] and "SOLEUS_STORE=on" in parts["history"]
    assert "WITHOUT authorisation" in parts["CDS"]
