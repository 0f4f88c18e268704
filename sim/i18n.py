"""Languages of orgsim's reports and page: English (the source language), Swedish and
Norwegian bokmål, through gettext catalogues (``sim/locale/LANG/LC_MESSAGES/orgsim.po``,
compiled to ``.mo`` beside it by ``scripts/update_catalogues.sh``) and Babel's locale data
for numbers and dates.

Code writes English with named placeholders and lets the catalogue and the locale do the
rest:

>>> sv = lang("sv")
>>> sv._("{share} of contacts", share=sv.pct(0.802, 1))
'80,2\\xa0% av kontakterna'
>>> lang("en").pct(0.802, 1)
'80.2%'

``N_`` marks a string for extraction where it is declared (a table of words) and the
translation happens where it is shown.
"""

from __future__ import annotations

import copy
import datetime as _dt
import gettext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "sv", "nb")
# The Babel locale of each language: British English (the project's spelling; its dates
# read "1 December 2026"), Sweden's Swedish, Norway's bokmål.
LOCALES = {"en": "en_GB", "sv": "sv_SE", "nb": "nb_NO"}
NAMES = {"en": "English", "sv": "svenska", "nb": "norsk bokmål"}  # each in its own language
DOMAIN = "orgsim"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE = "en"


class LanguageError(ValueError):
    """A language orgsim has no catalogue for."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark ``message`` in ``context`` for extraction (translated with Lang.p_)."""
    return message


def check_language(code: object, what: str = "language") -> str:
    """``code`` if it is one of LANGUAGES; else one LanguageError line naming what is allowed."""
    if not isinstance(code, str) or code not in LANGUAGES:
        shown = repr(code)[:30]
        raise LanguageError(f"{what} {shown} is not allowed; allowed: {', '.join(LANGUAGES)} "
                            f"({', '.join(f'{c}: {NAMES[c]}' for c in LANGUAGES)})")
    return code


@lru_cache(maxsize=None)
def translator(code: str) -> gettext.NullTranslations:
    """The gettext translations of language ``code`` (English: the source strings
    themselves). A missing compiled catalogue is an error, not English in disguise."""
    check_language(code)
    if code == SOURCE:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])
    except FileNotFoundError:
        raise LanguageError(f"the {NAMES[code]} catalogue is not compiled: "
                            f"{LOCALE_DIR / code / 'LC_MESSAGES' / (DOMAIN + '.mo')} is missing; "
                            "run scripts/update_catalogues.sh") from None


def _babel_locale(code: str):
    from babel import Locale
    return Locale.parse(LOCALES[check_language(code)])


def _pattern(patterns, digits: int):
    p = copy.copy(patterns[None])
    p.frac_prec = (digits, digits)
    return p


def _rounded(x: float, digits: int) -> Decimal:
    """``x`` rounded as Python's format() rounds it (the binary value, half to even),
    so a figure reads the same in every language and as f-strings give it."""
    return Decimal(f"{x:.{digits}f}")


@dataclass(frozen=True)
class Lang:
    """One language: its translations and its locale's way of writing numbers and dates."""

    code: str
    translations: gettext.NullTranslations = field(repr=False, compare=False)
    locale: object = field(repr=False, compare=False)

    # --- words --------------------------------------------------------------------------
    def _(self, message: str, **values) -> str:
        """The translation of ``message`` with its {named} placeholders filled in."""
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def n_(self, singular: str, plural: str, n: int, **values) -> str:
        """The singular or plural translation for ``n`` (the language's plural rule);
        ``n`` is also the placeholder {n}."""
        return self.translations.ngettext(singular, plural, n).format(n=n, **values)

    def p_(self, context: str, message: str, **values) -> str:
        """The translation of ``message`` in ``context`` (e.g. a scenario's label)."""
        text = self.translations.pgettext(context, message)
        return text.format(**values) if values else text

    # --- numbers and dates --------------------------------------------------------------
    def num(self, x: float, digits: int = 0) -> str:
        """``x`` with ``digits`` decimals, the locale's decimal mark and digit grouping."""
        return _pattern(self.locale.decimal_formats, digits).apply(_rounded(x, digits), self.locale)

    def signed(self, x: float, digits: int = 0) -> str:
        """``num`` with a plus sign on numbers that are not negative."""
        text = self.num(x, digits)
        return text if text.startswith(("-", "\u2212")) else "+" + text

    def pct(self, share: float, digits: int = 0) -> str:
        """A share (0.802) as a percentage: '80.2%' in English, '80,2 %' in Swedish."""
        d = _rounded(100 * share, digits) / 100
        return _pattern(self.locale.percent_formats, digits).apply(d, self.locale)

    def sig(self, x: float, digits: int = 4) -> str:
        """``x`` to ``digits`` significant digits (like format(x, '.4g')), in the locale."""
        text = f"{x:.{digits}g}"
        if "e" in text or "inf" in text or "nan" in text:
            return text
        return self.num(float(text), len(text.split(".")[1]) if "." in text else 0)

    def date(self, day: _dt.date | None = None, style: str = "long") -> str:
        """A date as the locale writes it (today by default)."""
        from babel.dates import format_date
        return format_date(day or _dt.date.today(), style, locale=self.locale)

    def money(self, x: float, currency: str | None = None, digits: int = 0) -> str:
        """An amount: with ``currency`` (ISO 4217, e.g. 'SEK') in the locale's currency
        format and the currency's decimals, else a plain number of ``digits`` decimals
        (the model's money is in relative units)."""
        if currency is None:
            return self.num(x, digits)
        from babel.numbers import format_currency, get_currency_precision
        return format_currency(_rounded(x, get_currency_precision(currency)), currency,
                               locale=self.locale)

    def join(self, items) -> str:
        """Items one after another, separated so a decimal comma cannot be taken for the
        separator: '0.2, 0.8' in English, '0,2; 0,8' in Swedish."""
        from babel.numbers import get_decimal_symbol
        return ("; " if get_decimal_symbol(self.locale) == "," else ", ").join(items)

    def list(self, items: list[str]) -> str:
        """'a', 'a and b', 'a, b and c' in the language."""
        if len(items) == 1:
            return items[0]
        return self._("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


@lru_cache(maxsize=None)
def lang(code: str = SOURCE) -> Lang:
    """The Lang of ``code`` (one of LANGUAGES)."""
    return Lang(code, translator(code), _babel_locale(code))




def translated(value, code: str = SOURCE):
    """``value`` with every string in it translated into language ``code``: a string, or
    the values (not the keys) of dicts and the items of tuples and lists, nested. For a
    module of texts such as the classroom page's (English msgids behind a ``_`` marker):
    ``SimpleNamespace(**{k: translated(v, code) for k, v in vars(texts).items() if k.isupper()})``."""
    t = translator(code)
    if isinstance(value, str):
        return t.gettext(value) if value else value
    if isinstance(value, dict):
        return {k: translated(v, code) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(translated(v, code) for v in value)
    return value


def format_decimal(x: float, code: str = SOURCE, digits: int = 0) -> str:
    """``x`` with ``digits`` decimals as language ``code`` writes it."""
    return lang(code).num(x, digits)


def format_percent(share: float, code: str = SOURCE, digits: int = 0) -> str:
    """A share (0 to 1) as a percentage in language ``code``."""
    return lang(code).pct(share, digits)


def format_date(day: _dt.date | None = None, code: str = SOURCE, style: str = "long") -> str:
    """A date (today by default) as language ``code`` writes it."""
    return lang(code).date(day, style)


__all__ = ["LANGUAGES", "LOCALES", "LanguageError", "Lang", "N_", "NP_", "check_language", "format_date",
           "format_decimal", "format_percent", "lang", "translated", "translator"]
