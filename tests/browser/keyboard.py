"""Driving pages with the keyboard alone, checking at every stop where the focus is and that a
sighted keyboard user can see it (WCAG 2.4.7 Focus Visible, 2.4.11 Focus Not Obscured)."""

from __future__ import annotations

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

MAX_PRESSES = 150

# The focused element, described by its role and accessible name as Playwright's ARIA snapshot
# gives them (`link "Sign in"`), or by its tag when it has no role.
_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(the page itself)";
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
}"""

# Whether the focused element looks different from the same element unfocused, in a way that
# can be seen: an outline, a box shadow or a background that appears (GOV.UK Frontend draws a
# yellow background and a black underline). Radios and checkboxes draw their focus ring on the
# label's ::before, so the label and its pseudo-elements count as part of the element. Focused
# text must stay readable (4.5:1 against the background behind it), and the element must be in
# the window, not scrolled away.
#
# The unfocused look comes from a snapshot taken before Tab was pressed (``"snapshot"``), so the
# check never moves the focus: inside a date field, Tab stops on the day, month, year and the
# calendar button in turn, and blurring and focusing the field again would send it back to the
# day (and hide that the calendar button's focus showed nothing). An element the snapshot did
# not see (added since, or focused when it was taken) is blurred and focused again instead.
_FOCUS_INDICATOR = """(mode) => {
  const parts = el => {
    const found = [[el, null], [el, "::before"], [el, "::after"]];
    for (const label of el.labels || []) found.push([label, "::before"], [label, "::after"]);
    return found;
  };
  const props = ["outline-style", "outline-width", "outline-color", "box-shadow",
                 "background-color", "border-top-width"];
  const read = el => parts(el).map(([node, pseudo]) => {
    const style = getComputedStyle(node, pseudo);
    return Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]));
  });
  if (mode === "snapshot") {
    const plain = new WeakMap();
    for (const el of document.querySelectorAll(
        "a[href], button, input, select, textarea, summary, [tabindex]")) {
      if (el !== document.activeElement) plain.set(el, read(el));
    }
    window.__plainFocusStyles = plain;
    return null;
  }
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, reason: "nothing has focus"};
  const transparent = c => c === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(c);
  const channels = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = c => {
    const [r, g, b] = channels(c).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundBehind = node => {
    for (; node; node = node.parentElement) {
      const c = getComputedStyle(node).backgroundColor;
      if (!transparent(c)) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const hasText = !["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)
    && el.innerText.trim() !== "";
  if (hasText) {
    const [a, b] = [luminance(getComputedStyle(el).color), luminance(backgroundBehind(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) return {visible: false,
      reason: `its text has a contrast of ${ratio.toFixed(2)}:1 when focused (4.5:1 needed)`};
  }
  const focused = read(el);
  let plain = window.__plainFocusStyles && window.__plainFocusStyles.get(el);
  if (!plain) {
    el.blur();
    plain = read(el);
    el.focus({preventScroll: true});
  }
  const changes = [];
  focused.forEach((f, i) => {
    const p = plain[i];
    const outline = f["outline-style"] !== "none" && parseFloat(f["outline-width"]) > 0
      && !transparent(f["outline-color"]);
    if (outline && (f["outline-style"] !== p["outline-style"]
                    || f["outline-color"] !== p["outline-color"]
                    || f["outline-width"] !== p["outline-width"])) changes.push("outline");
    if (f["box-shadow"] !== "none" && f["box-shadow"] !== p["box-shadow"]) changes.push("shadow");
    if (!transparent(f["background-color"]) && f["background-color"] !== p["background-color"])
      changes.push("background");
    if (f["border-top-width"] !== p["border-top-width"]) changes.push("border");
  });
  const box = el.getBoundingClientRect();
  const inView = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < window.innerHeight && box.left < window.innerWidth;
  if (!inView) return {visible: false, reason: "it is outside the window"};
  if (document.activeElement !== el) return {visible: false, reason: "it lost focus"};
  return {visible: changes.length > 0, reason: "its focused style is no different"};
}"""


def focus_description(page: Page) -> str:
    """The focused element as a person using a screen reader hears it: role and name."""
    focused = page.locator("*:focus")
    if focused.count() != 1:
        return page.evaluate(_DESCRIBE_FOCUS)
    snapshot = focused.aria_snapshot().strip()
    first = snapshot.splitlines()[0].removeprefix("- ").rstrip(":") if snapshot else ""
    return first or page.evaluate(_DESCRIBE_FOCUS)


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator inside the window."""
    result = page.evaluate(_FOCUS_INDICATOR, "check")
    assert result["visible"], (
        f"focus on {focus_description(page)} on {page.url} cannot be seen: {result['reason']}")


def snapshot_unfocused_styles(page: Page) -> None:
    """Remember how every control looks unfocused, for :func:`assert_focus_visible` to compare."""
    page.evaluate(_FOCUS_INDICATOR, "snapshot")


def has_focus(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until ``target`` has focus; every stop must show its focus.

    Returns the stops on the way, for a failure message or a check of the order.
    """
    expect(target).to_have_count(1)
    # After a key press that sent a form, the new page's text can be there before its scripts
    # have run; the notification banner's script then moves focus while we press Tab (a CI
    # failure on a busy machine). Pages are tabbed through once they have loaded.
    page.wait_for_load_state("load")
    snapshot_unfocused_styles(page)
    key = "Shift+Tab" if backwards else "Tab"
    stops: list[str] = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        stops.append(focus_description(page))
        if stops[-1] != "(the page itself)":
            assert_focus_visible(page)
        if has_focus(target):
            return stops
    raise AssertionError(f"{MAX_PRESSES} presses of {key} on {page.url} never reached "
                         f"{target}; focus went to: {stops}")


def tab_through(page: Page) -> list[str]:
    """Tab from the top of the page through every control until focus comes back round;
    every stop must show its focus. Returns the stops in order."""
    page.wait_for_load_state("load")  # as in tab_to
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    snapshot_unfocused_styles(page)
    stops: list[str] = []
    first = None
    for _ in range(MAX_PRESSES * 2):
        page.keyboard.press("Tab")
        handle = page.evaluate_handle("() => document.activeElement")
        if first is not None and page.evaluate("([a, b]) => a === b", [handle, first]):
            return stops
        description = focus_description(page)
        if description == "(the page itself)":
            if stops:
                return stops
            continue
        assert_focus_visible(page)
        stops.append(description)
        if first is None:
            first = handle
    raise AssertionError(f"Tab never came back to the start of {page.url}: {stops}")


def activate(page: Page, target: Locator, key: str = "Enter") -> None:
    """Tab to ``target`` and press Enter (links, buttons) or Space (buttons, checkboxes)."""
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    """Tab to a field and type into it, as a person would."""
    tab_to(page, target)
    page.keyboard.type(text)
    expect(target).to_have_value(text)
