"""Which passwords Pactum refuses, and why (ASVS 5.0 6.2.4 and 6.2.11).

Length alone let `password1234`, `1234567890` and `qwertyuiop` through. A password is now
also refused when

* it contains the person's email address, its local part (or a piece of it of four
  characters or more: "lovelace" in "ada.lovelace@…"), or the alliance's name
  (`ALLIANCE_NAME`), compared without case, spaces or punctuation; or
* zxcvbn (Dropbox's strength estimator, the Python port pinned in requirements.txt) finds it
  guessable in fewer than 10^8 guesses (score below 3). Its dictionaries hold the 30,000 most
  common passwords of the breach corpora, English words, names and keyboard patterns, and
  it counts sequences, repeats and dates, so the most common breached passwords fail
  whatever their spelling ("P@ssw0rd123"). See docs/security.md for the choice.

The messages are ours (translatable) and say what would work; zxcvbn's English feedback is
only used to pick one. No composition rules (digits, symbols): ASVS forbids them.
"""

from __future__ import annotations

import re
import threading

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: "safely unguessable", about 10^8 guesses or more
# zxcvbn refuses longer input (its matching is quadratic); the first 72 characters decide:
# a weak beginning with a long strong tail is rare, and refusing it errs on the safe side.
ZXCVBN_MAX = 72
_PIECE_MIN = 4  # shorter pieces of an email ("jo", "ops") occur in too many good passwords

# zxcvbn keeps the user inputs of the current call in a module-level dictionary: two
# requests checking at once in one process must not see each other's.
_zxcvbn_lock = threading.Lock()

_COMMON = "common"
_PATTERN = "pattern"


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", (text or "").lower())


def personal_words(email: str, alliance_name: str) -> list[str]:
    """What a password must not contain: the email, its local part and longer pieces of it,
    and the alliance's name."""
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    words = [email, local, *re.split(r"[._+\-]+", local), alliance_name or ""]
    return [word for word in dict.fromkeys(words) if len(_squashed(word)) >= _PIECE_MIN]


def password_problem(password: str, email: str = "", alliance_name: str = "") -> str | None:
    """Why this password is refused, in a sentence that says what would work, or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    squashed = _squashed(password)
    if any(_squashed(word) in squashed for word in personal_words(email, "")):
        return _(
            "Your password must not contain your email address or a part of it: someone who "
            "knows your address would try it first. A few unrelated words make a strong "
            "password."
        )
    if len(_squashed(alliance_name)) >= _PIECE_MIN and _squashed(alliance_name) in squashed:
        return _(
            "Your password must not contain the alliance's name: it is among the first things "
            "an attacker tries. A few unrelated words make a strong password."
        )
    weakness = _weakness(password[:ZXCVBN_MAX], personal_words(email, alliance_name))
    if weakness == _COMMON:
        return _(
            "This password is among the most common passwords, which attackers try first. "
            "A few unrelated words make a strong one."
        )
    if weakness == _PATTERN:
        return _(
            "This password is too easy to guess: rows of keys, sequences, repeats and dates "
            "are tried first. A few unrelated words make a strong one."
        )
    if weakness:
        return _(
            "This password is too easy to guess. Make it longer: a few unrelated words make "
            "a strong one."
        )
    return None


def _weakness(password: str, user_inputs: list[str]) -> str | None:
    """None when zxcvbn rates the password strong enough; else what kind of weak it is."""
    with _zxcvbn_lock:
        result = zxcvbn(password, user_inputs=user_inputs)
    if result["score"] >= MIN_SCORE:
        return None
    longest = max(result["sequence"], key=lambda match: len(match["token"]), default=None)
    if longest is None:
        return "weak"
    if longest["pattern"] == "dictionary" and longest.get("dictionary_name") == "passwords":
        return _COMMON
    if longest["pattern"] in ("spatial", "sequence", "repeat", "date", "regex"):
        return _PATTERN
    return "weak"
