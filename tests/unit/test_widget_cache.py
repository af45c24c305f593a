"""GOV.UK form widgets drawn once per set of parameters (forum.templating): the kept markup is
what the widget's template draws, and text is never confused with markup."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import StringField

from forum import templating
from forum.forms import BaseForm
from forum.forms import GovTextInput


class _Form(BaseForm):
    name = StringField("Your name", widget=GovTextInput())


def test_a_kept_widget_is_what_its_template_draws(app):
    with app.test_request_context():
        form = _Form(meta={"csrf": False})
        params = {"hint": {"text": "As colleagues know you"}}
        templating._widgets.clear()
        drawn = str(form.name(params=params))  # drawn by the template, then kept
        assert len(templating._widgets) == 1
        kept = str(form.name(params=params))
        assert kept == drawn
        assert "As colleagues know you" in kept
        assert str(form.name(params={"hint": {"text": "Another hint"}})) != kept


def test_text_and_markup_with_the_same_characters_are_not_confused(app):
    with app.test_request_context():
        form = _Form(meta={"csrf": False})
        as_markup = str(form.name(params={"hint": {"text": Markup("<b>Bold</b>")}}))
        as_text = str(form.name(params={"hint": {"text": "<b>Bold</b>"}}))
        assert "<b>Bold</b>" in as_markup
        assert "&lt;b&gt;Bold&lt;/b&gt;" in as_text
        kept = [key for key in templating._widgets if "Bold" in key[1]]
        assert len(kept) == 1  # only the plain text was kept
