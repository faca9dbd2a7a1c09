"""The side-by-side translation form: for each source text, the translation, the source
hash the translator was shown, and (when the source changed) a box to confirm that the
translation still holds. Built per version, since each version has its own texts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from app.charter.translations.entries import EntryState, LanguageStatus, SourceEntry
from app.charter.translations.exchange import MAX_BYTES

LABELS = {
    "title": _l("Title"),
    "preamble": _l("Preamble"),
    "change_summary": _l("What changed, in one line"),
}


def label(source: SourceEntry) -> str:
    if source.kind == "principle_title":
        return _l("Principle %(n)d: title", n=source.number)
    if source.kind == "principle_body":
        return _l("Principle %(n)d: text", n=source.number)
    return LABELS[source.kind]


class TranslationForm(FlaskForm):
    """Its fields are added by `translation_form`; `texts`, `seen` and `confirmed` read
    them back as the service wants them."""

    entries: list[EntryState] = []

    def texts(self) -> dict[str, str]:
        return {e.source.key: self[e.source.field_name].data or "" for e in self.entries}

    def seen(self) -> dict[str, str]:
        return {
            e.source.key: value
            for e in self.entries
            if (value := (self["seen_" + e.source.field_name].data or "").strip())
        }

    def confirmed(self) -> set[str]:
        return {
            e.source.key
            for e in self.entries
            if ("confirm_" + e.source.field_name) in self._fields
            and self["confirm_" + e.source.field_name].data
        }


def translation_form(status: LanguageStatus, formdata=None, label_of=label) -> TranslationForm:
    """`formdata`: the posted form, or None to show the stored translations; `label_of`:
    each entry's label (the questionnaire's page passes its own)."""

    class Form(TranslationForm):
        pass

    for entry in status.entries:
        source = entry.source
        kind = TextAreaField if source.markdown else StringField
        setattr(
            Form,
            source.field_name,
            kind(label_of(source), render_kw={"lang": status.language, "dir": "auto"}),
        )
        setattr(Form, "seen_" + source.field_name, HiddenField())
        if entry.outdated:
            setattr(
                Form,
                "confirm_" + source.field_name,
                BooleanField(_l("This translation still matches the changed source text")),
            )
    data = {}
    for entry in status.entries:
        data[entry.source.field_name] = entry.text
        data["seen_" + entry.source.field_name] = entry.source.hash
    form = Form(formdata=formdata, data=data)
    form.entries = status.entries
    return form


def labels(entries: list[EntryState]) -> str:
    """The entries' labels in one line ("Title, Principle 2: text")."""
    return ", ".join(str(label(e.source)) for e in entries)


class TranslatedFileForm(FlaskForm):
    """A translated PO or XLIFF file uploaded (or its text pasted); the preview sends the
    text back with `action` "import"."""

    file = FileField(
        _l("PO or XLIFF file"),
        description=_l("The file exported from this page, translated (.po or .xlf)."),
    )
    po = TextAreaField(_l("Or paste the file’s text"), validators=[Length(max=MAX_BYTES)])
    action = StringField(default="preview")

    def content(self) -> bytes:
        """The file's bytes (at most one more than the limit, so a larger file is refused
        as such), or else the pasted text's."""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            return upload.read(MAX_BYTES + 1)
        return (self.po.data or "").replace("\r\n", "\n").encode()
