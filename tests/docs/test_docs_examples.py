"""Every example in README.md and docs/ runs, against one real service, and prints what the page shows.

One gunicorn server on loopback serves every block: access control on, its own
SQLite database, a key made for each page (`$KEY`, of a team of the page's
own, so that what one page screens is never another page's history) and the CDS
Hooks client of the test key pair examples/make_test_keys.py writes. A page's
`http://127.0.0.1:8000` is that server's address. Blocks run in a folder of
their own (the checkout's examples/, scripts/ and .venv linked into it), so
what they write (out/, keys) never lands in the checkout. See
tests/support/docs_examples.py for the marks and what is compared.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import create_engine

from api.access import key_ring
from tests.support.docs_examples import MARK, ROOT, RUN, blocks, compare, pages
from tests.support.launch import serve_command, start

ALL = [block for page in pages() for block in blocks(page)]
RUNNABLE = [block for block in ALL if block.runs]
# A file an example hands to a command: examples/..., scripts/..., or curl's @FILE.
NAMED_FILE = re.compile(
    r"(?<![\w/.-])((?:examples|scripts|docs|rules|tests)/[\w./-]*\w)|--data(?:-binary)? @([\w./-]+)"
)
TIMEOUT = 180


def run(command: list[str], env: dict, cwd, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """(the environment and folder blocks run in, the server) for every block of every page."""
    work = tmp_path_factory.mktemp("docs")
    for name in ("examples", "scripts", ".venv", "rules"):
        (work / name).symlink_to(ROOT / name)
    database = f"sqlite:///{tmp_path_factory.mktemp('docs-db') / 'docs.sqlite3'}"
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "SOLEUS_AUTH": "on",
        "SOLEUS_DATABASE_URL": database,
        "SOLEUS_SECRET_KEY": "docs-test-secret",
        "SOLEUS_CDS_CLIENTS": f'{{"https://ehr.example.org": "{work / "ehr-jwks.json"}"}}',
        "SOLEUS_CDS_TESTING": "on",  # as the walk-through starts it: the audience is the URL called
        "PYTHONPATH": str(ROOT),
    }
    cli = [sys.executable, "-m", "api.commands"]
    for command in (
        [sys.executable, str(ROOT / "examples" / "make_test_keys.py"), "--dir", str(work)],
        [*cli, "db", "upgrade"],
    ):
        done = run(command, env, work, timeout=60)
        assert done.returncode == 0, done.stderr
    engine = create_engine(database)
    page_keys: dict = {}

    def key_of(page) -> str:
        """A key of the page's own team: what one page screens never becomes another page's runner history."""
        if page not in page_keys:
            team = "docs-" + re.sub(r"[^\w.-]", "-", page.relative_to(ROOT).with_suffix("").as_posix())
            page_keys[page] = key_ring.create(
                engine, name=team, team=team, scopes=["screen", "history:read", "history:erase"]
            )
        return page_keys[page]

    server = start(serve_command("--workers", "1", "--threads", "4"), env=env)
    try:
        yield env, work, server, key_of
    finally:
        server.stop()
        engine.dispose()


def substituted(text: str, url: str) -> str:
    """The block with the documented address (port 8000) replaced by the test server's."""
    return text.replace("http://127.0.0.1:8000", url).replace("127.0.0.1:8000", url.removeprefix("http://"))


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_the_example_runs_and_prints_what_the_page_shows(block, service):
    if block.mark == "not-run":
        pytest.skip(block.mark_value)
    if re.search(r"\bjq\b", block.text) and shutil.which("jq") is None:
        pytest.skip("needs jq (apt-get install jq), which the example pipes its answer through")
    env, work, server, key_of = service
    env = {**env, "KEY": key_of(block.page)}
    text = substituted(block.text, server.url)
    expected = int(block.mark_value) if block.mark == "exits" else 0
    if block.lang in ("python", "py"):
        command = [str(ROOT / ".venv" / "bin" / "python"), "-c", text]
    else:
        command = ["bash", *(["-e"] if block.mark != "exits" else []), "-c", text]
    done = run(command, env, work)
    assert done.returncode == expected, f"exit {done.returncode}, expected {expected}\n{done.stdout}\n{done.stderr}"
    for answer in block.answers:
        problems = compare(substituted(answer.text, server.url), done.stdout, answer.lang)
        assert not problems, (
            f"the answer at line {answer.line} differs:\n" + "\n".join(problems) + "\n\n" + done.stdout[:3000]
        )


def test_every_not_run_mark_gives_a_reason():
    marks = [block.name for block in ALL if block.mark == "not-run" and not block.mark_value]
    assert marks == [], "a <!-- not-run: --> mark without its reason"


def test_every_mark_is_read_as_one():
    """A mark misspelt (no colon) or away from its block would let the block run, or hide the mark."""
    misplaced = []
    for page in pages():
        lines = page.read_text("utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith("<!--") and re.search(r"<!--\s*(not-run|exits)", line):
                if not MARK.match(line) or number == len(lines) or not lines[number].lstrip().startswith("```"):
                    misplaced.append(f"{page.relative_to(ROOT)}:{number}")
    assert misplaced == []


def test_an_exits_mark_names_a_status():
    marks = [block.name for block in ALL if block.mark == "exits" and not block.mark_value.isdigit()]
    assert marks == []


def test_every_file_an_example_names_is_in_the_repository():
    missing = []
    for block in ALL:
        if block.lang not in RUN:
            continue
        for match in NAMED_FILE.finditer(block.text):
            name = match.group(1) or match.group(2)
            if not (ROOT / name).exists() and f"> {name}" not in block.text:  # or the example writes it itself
                missing.append(f"{block.name}: {name}")
    assert missing == []


def test_the_collector_sees_the_pages_and_their_examples():
    names = {page.relative_to(ROOT).as_posix() for page in pages()}
    assert {"README.md", "docs/index.md", "docs/reference/settings.md"} <= names
    assert len(names) >= 9
    assert sum(block.mark != "not-run" for block in RUNNABLE) >= 20


STALE = re.compile(r"keeps? no state|(?:there is )?no history store|nothing is ever stored", re.IGNORECASE)


def test_no_page_says_the_service_keeps_no_state_or_has_no_history_store():
    said = [
        f"{page.relative_to(ROOT)}:{number}: {line.strip()}"
        for page in pages()
        for number, line in enumerate(page.read_text("utf-8").splitlines(), 1)
        if STALE.search(line)
    ]
    assert said == []


def test_every_link_of_the_readme_reaches_a_file_of_the_repository():
    """mkdocs --strict checks the links between docs pages; the README is outside the site, so here."""
    readme = (ROOT / "README.md").read_text("utf-8")
    targets = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", readme)
    assert len(targets) >= 10
    assert [target for target in targets if not (ROOT / target).exists()] == []
