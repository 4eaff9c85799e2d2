"""Form fields shared by every form in the app."""

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class OptionalDateField(DateField):
    """A GOV.UK day/month/year date that may be left blank, with a message that says what to enter.

    The GOV.UK widget needs exactly three raw values to redisplay what was typed,
    so a request that omits the field (or sends it twice) is normalised here
    instead of crashing the page.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, format="%d %m %Y", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        valuelist = [(v or "").strip() for v in valuelist][:3]
        self.raw_data = valuelist + [""] * (3 - len(valuelist))
        if not any(self.raw_data):
            self.data = None
            return
        try:
            self.data = dt.datetime.strptime(" ".join(self.raw_data), "%d %m %Y").date()
        except ValueError:
            self.data = None
            raise ValueError(f"Enter a real date for ‘{self.label.text}’, for example 27 3 2026.")
