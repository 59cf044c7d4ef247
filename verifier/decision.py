"""The deciding reason of a verdict, in plain language, with advice: what the CLI, the API and the web page put
first (failures first; the passed checks go under the technical details).

Which check decides follows the verdict rules (docs/proof-format.md §13): for INVALID the first INVALID check
other than status and expiry, for NOT_CHECKABLE the first check that could not be checked, for REVOKED and
SUSPENDED the status check, for EXPIRED the expiry check. Its sentence is the reason's own text, never a
technical detail (an exception message belongs under the technical details); only status and expiry add theirs,
which are plain words (the revocation reason, the end date).
"""

from __future__ import annotations

from verifier import messages
from verifier.result import CheckResult, Decision, Reason, Status, Verdict, VerificationResult

_DECIDING_STATUS = {Verdict.INVALID: Status.INVALID, Verdict.NOT_CHECKABLE: Status.ERROR}
_OWN_CHECK = {Verdict.REVOKED: "status", Verdict.SUSPENDED: "status", Verdict.EXPIRED: "expiry"}


def decide(result: VerificationResult) -> Decision:
    if result.verdict is Verdict.VALID:
        de, en = messages.VALID_TEXTS[result.scope or "document"]
        advice = messages.QR_NOT_COVERED if result.scope == "claims" else (None, None)
        return Decision(Reason.OK, de, en, *advice)
    check = deciding_check(result)
    if check is None:  # a result that breaks the rules: say so rather than invent a reason
        return _with_advice(Reason.INTERNAL_ERROR, *messages.reason_texts(Reason.INTERNAL_ERROR))
    if result.verdict in _OWN_CHECK:
        return _with_advice(check.reason, check.message_de, check.message_en)
    return _with_advice(check.reason, *messages.reason_texts(check.reason))


def deciding_check(result: VerificationResult) -> CheckResult | None:
    """The check that decided the verdict (None for VALID)."""
    if result.verdict in _OWN_CHECK:
        name = _OWN_CHECK[result.verdict]
        return next((c for c in result.checks if c.name == name), None)
    wanted = _DECIDING_STATUS.get(result.verdict)
    if wanted is None:
        return None
    ranked = [c for c in result.checks if c.status is wanted and c.name not in ("status", "expiry")]
    ranked += [c for c in result.checks if c.status is wanted and c.name in ("status", "expiry")]
    return ranked[0] if ranked else None


def _with_advice(reason: Reason, de: str, en: str) -> Decision:
    advice = messages.ADVICE.get(reason)
    if advice is None and reason not in _UNDECIDED:
        advice = messages.INVALID_ADVICE
    return Decision(reason, de, en, *(advice or (None, None)))


_UNDECIDED = frozenset({Reason.OK, Reason.NOT_APPLICABLE, Reason.NOT_REACHED})
