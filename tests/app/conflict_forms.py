"""Reading a page's form as a browser would submit it, for the conflict tests of returns and the panel."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Every POST form on a page: its action and the (name, value) pairs a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "pairs": [], "buttons": []})
        elif not self.forms:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            if kind == "submit":
                self.forms[-1]["buttons"].append((attrs.get("name"), attrs.get("value", "")))
            elif attrs.get("name"):
                self.forms[-1]["pairs"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "button" and attrs.get("name"):
            self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.forms[-1]["pairs"].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.forms[-1]["pairs"][-1]
            self.forms[-1]["pairs"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea is not None:  # the browser drops the one line break after <textarea>
                name, value = self.forms[-1]["pairs"][-1]
                self.forms[-1]["pairs"][-1] = (name, value.removeprefix("\n"))
            self._textarea = None


def form_pairs(html: str, has_field: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of the page's first form holding a field named ``has_field``."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if any(name == has_field for name, _ in form["pairs"]):
            return form["pairs"]
    raise AssertionError(f"no form with a field {has_field!r} on the page")


def as_post(pairs: list[tuple[str, str]], **changes) -> dict:
    """Pairs as post data (repeated names become lists), with ``changes`` replacing fields."""
    data: dict = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    data = {name: values if len(values) > 1 else values[0] for name, values in data.items()}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
