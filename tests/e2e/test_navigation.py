"""Navigation from the very first paint of a fresh server: only the app's own pages are listed.

Streamlit lists every file in ``pages/`` until ``st.navigation`` runs; the config hides that
list. A MutationObserver installed before the page's own scripts records every navigation
link that ever appears during the first seconds, so a flash of extra links fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.app_pages import app_pages

pytestmark = pytest.mark.e2e

WATCH_MS = 4000

RECORD_NAV_LINKS = """
window.__navSeen = [];
const LINKS = [
  '[data-testid="stTopNavLink"]', '[data-testid="stTopNavDropdownLink"]',
  '[data-testid="stSidebarNavLink"]', '[data-testid="stTopNav"] a',
  '[data-testid="stSidebarNav"] a', '[data-testid="stSidebar"] a', 'nav a',
].join(', ');
function label(el) {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[data-testid^="stIcon"]').forEach((icon) => icon.remove());
  return copy.textContent.trim();
}
function scan() {
  document.querySelectorAll(LINKS).forEach((el) => {
    const text = label(el);
    if (!window.__navSeen.includes(text)) window.__navSeen.push(text);
  });
}
new MutationObserver(scan).observe(document, {subtree: true, childList: true, characterData: true});
"""


def page_titles() -> list[str]:
    """The titles of the ``st.Page`` entries in app.py, the one list of pages."""
    return [page.title for page in app_pages()]


def test_app_lists_its_pages() -> None:
    titles = page_titles()
    assert {"Consult", "Interaction checker", "Cramp diary", "About / how it decides"} <= set(
        titles
    )
    assert len(titles) == len(set(titles))


# A deep link is the hard case: on a fresh server Streamlit would run pages/diary.py alone.
@pytest.mark.parametrize(("path", "heading"), [("", "Consult"), ("diary", "Cramp diary")])
def test_first_paint_shows_only_the_app_pages(
    path: str, heading: str, browser: Any, fresh_server: str
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.add_init_script(RECORD_NAV_LINKS)
        page.goto(f"{fresh_server}/{path}", wait_until="commit")
        page.wait_for_timeout(WATCH_MS)  # an observation window, not a speed assertion
        page.get_by_text("Decision support for clinicians").first.wait_for()
        page.get_by_role("heading", name=heading).first.wait_for()
        page.get_by_test_id("stTopNav").wait_for()  # the router ran: navigation at the top
        seen = page.evaluate("window.__navSeen")
        assert page.title() == "Cramp Consult", "app.py's page config was not applied"
    finally:
        context.close()
    assert set(seen) == set(page_titles()), f"navigation links seen: {seen}"
