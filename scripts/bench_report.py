#!/usr/bin/env python3
"""Measure the roster report of a big roster in headless Chromium: size, first screen, opening a runner.

    python scripts/bench_report.py                  # 100,000 rows
    python scripts/bench_report.py --rows 20000 --repeat 5

Makes a synthetic roster (make_roster.py), screens it with `soleus-screen
roster` into a temporary folder, then opens report.html from the file in the
system Chromium (Playwright, /usr/bin/chromium or $CHROMIUM) and prints:

- the page's size in bytes;
- time to first screen: from navigation to the runner list's first rows drawn
  (the script has parsed the embedded data, sorted it and drawn them), and to
  the load event; target under 3 s;
- time to open a runner: from following a runner's link (an urgent runner, and
  one far down the list) until its rules are on screen; target under 200 ms;
- where the band counts, the referral counts and the search end on a 1366x768
  screen: on the first screen (at most 768 px down).

Each timing is the median of --repeat fresh page loads.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_roster import write_roster  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu"]
OPEN_RUNNER = """async (target) => {
  const start = performance.now();
  const changed = new Promise((resolve) => addEventListener("hashchange", resolve, { once: true }));
  location.hash = target;
  await changed;  // the report's own hashchange handler ran first: it draws and opens the runner
  const element = document.getElementById(target);
  if (!element) throw new Error("not drawn: " + target);
  element.getBoundingClientRect();  // layout done
  await new Promise(requestAnimationFrame);
  return [performance.now() - start, !!document.querySelector("#" + target + "[open] .body *")];
}"""

# Where the summary's parts end on a 1366x768 screen, unscrolled: all on the first screen at 100,000 rows.
FIRST_SCREEN = """() => Object.fromEntries([["band counts", "#bands .cards"], ["referrals", "#referrals"],
  ["search", "#find-q"]].map(([name, selector]) =>
  [name, document.querySelector(selector).getBoundingClientRect().bottom]))"""


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms (of {len(values)}: {', '.join(f'{v:.0f}' for v in values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, args.rows, seed=7)
        out = Path(folder) / "out"
        command = [sys.executable, "-m", "api.commands", "roster", str(roster), "--out", str(out)]
        start = time.perf_counter()
        subprocess.run([*command, "--workers", str(args.workers)], check=True, cwd=HERE.parent, capture_output=True)
        print(f"screened {args.rows:,} rows in {time.perf_counter() - start:.1f} s")
        report = out / "report.html"
        print(f"report.html: {report.stat().st_size:,} bytes ({report.stat().st_size / args.rows:.0f} bytes a runner)")

        first, loaded, urgent, far = [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.repeat):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(report.as_uri(), wait_until="commit", timeout=60_000)
                page.wait_for_selector("#list details.runner", timeout=60_000)
                first.append(1000 * (time.perf_counter() - start))
                page.wait_for_load_state("load")
                loaded.append(1000 * (time.perf_counter() - start))
                link = page.locator("#urgent table a").first.get_attribute("href")
                elapsed, shown = page.evaluate(OPEN_RUNNER, link.removeprefix("#"))
                assert shown, "the urgent runner did not open"
                urgent.append(elapsed)
                last = page.evaluate("JSON.parse(document.getElementById('roster-data').textContent).at(-1)[0]")
                elapsed, shown = page.evaluate(OPEN_RUNNER, f"runner-{last}")
                assert shown, "the last runner did not open"
                far.append(elapsed)
                page.close()
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(report.as_uri(), timeout=60_000)
            page.wait_for_selector("#list details.runner", timeout=60_000)
            bottoms = page.evaluate(FIRST_SCREEN)
            page.close()
            browser.close()
        print(f"first screen (rows drawn): {_median_ms(first)}  target < 3000 ms")
        print(f"load event:                {_median_ms(loaded)}")
        print(f"open an urgent runner:     {_median_ms(urgent)}  target < 200 ms")
        print(f"open the last runner:      {_median_ms(far)}  target < 200 ms")
        for name, bottom in bottoms.items():
            print(f"first screen 1366x768: {name} ends at {bottom:.0f} px  target <= 768 px")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
