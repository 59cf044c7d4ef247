"""The verifier's warnings about chain nodes (verifier/witnesses.py logs them in English for the operator's log)
as one line each on stderr, in the language of `notary verify`."""

from __future__ import annotations

import logging

from rich.text import Text

from cli.output import err_console

_WITNESS = "witness %d (%s://%s) of %r: %s"
_DISAGREE = "witnesses of %r disagree about the %s: groups of nodes %s"


class _ChainWarnings(logging.Handler):
    def __init__(self, lang: str) -> None:
        super().__init__(logging.WARNING)
        self.lang = lang

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = _german(record) if self.lang == "de" else None
            label = "Warnung:" if self.lang == "de" else "warning:"
            err_console.print(Text.assemble((label, "bold yellow"), " ", line or record.getMessage()), soft_wrap=True)
        except Exception:  # a warning must never end the verdict
            self.handleError(record)


def _german(record: logging.LogRecord) -> str | None:
    args = record.args if isinstance(record.args, tuple) else ()
    if record.msg == _WITNESS and len(args) == 5:
        number, scheme, where, name, why = args
        # the technical cause stays as the node library gave it
        return f"Knoten {number} ({scheme}://{where}) von {name!r}: nicht erreichbar oder fehlerhaft ({why})"
    if record.msg == _DISAGREE and len(args) == 3:
        name, what, sizes = args
        return f"Die Knoten von {name!r} widersprechen sich ({what}); Gruppen der Knoten: {sizes}"
    return None


def show_chain_warnings(lang: str) -> None:
    """Route verifier.witnesses' warnings to stderr in ``lang`` (and not a second time through the root)."""
    logger = logging.getLogger("verifier.witnesses")
    for handler in [h for h in logger.handlers if isinstance(h, _ChainWarnings)]:
        logger.removeHandler(handler)
    logger.addHandler(_ChainWarnings(lang))
    logger.propagate = False
