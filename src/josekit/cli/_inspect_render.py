"""``inspect``'s human-readable output: the report as headings, JSON blocks and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._render import Printer

__all__ = ["HOW_TO_VERIFY", "NOT_VERIFIED", "NOT_VERIFIED_DECRYPTED", "render_report"]

NOT_VERIFIED = "NOT VERIFIED: decoded without checking any signature; anyone could have made this."
NOT_VERIFIED_DECRYPTED = (
    "NOT VERIFIED: decrypted with your key, which does not tell who made it; "
    "no signature inside was checked."
)
HOW_TO_VERIFY = (
    "To check a token, use 'josekit jws verify' or 'josekit jwt decode' with the issuer's key."
)


def _summary(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind = report["type"]
    serialization = {
        "compact": "compact serialization",
        "json-general": "JSON serialization (general)",
        "json-flattened": "JSON serialization (flattened)",
    }[report["serialization"]]
    rows = [("Type", f"{kind}, {serialization}")]
    header = report.get("header") or {
        **(report.get("unprotected") or {}),
        **(report.get("protected") or {}),
    }
    if kind == "JWS" and "signatures" in report:
        algs = [str({**s["header"], **s["protected"]}.get("alg")) for s in report["signatures"]]
        rows.append(("Signatures", f"{len(algs)} ({', '.join(algs)})"))
    elif "alg" in header:
        rows.append(("Algorithm", str(header.get("alg"))))
    if kind == "JWE":
        if "enc" in header:
            rows.append(("Encryption", str(header.get("enc"))))
        if "recipients" in report:
            rows.append(("Recipients", str(len(report["recipients"]))))
        rows.append(("Decrypted", "yes" if report.get("decrypted") else "no"))
    return rows


def render_report(out: Printer, report: Mapping[str, Any], top: bool) -> None:
    if top:
        decrypted = report.get("decrypted")
        out.line(NOT_VERIFIED_DECRYPTED if decrypted else NOT_VERIFIED, "bad")
        out.line(HOW_TO_VERIFY, "dim")
        out.line()
    out.fields(_summary(report))
    if "header" in report:
        out.heading("Header")
        out.json(report["header"])
    if "signatures" in report:
        for index, entry in enumerate(report["signatures"], 1):
            out.heading(f"Signature {index}: protected header")
            out.json(entry["protected"])
            if entry["header"]:
                out.heading(f"Signature {index}: unprotected header")
                out.json(entry["header"])
    if "protected" in report:
        out.heading("Protected header")
        out.json(report["protected"])
    if report.get("unprotected"):
        out.heading("Shared unprotected header")
        out.json(report["unprotected"])
    for index, recipient in enumerate(report.get("recipients", []), 1):
        if recipient["header"]:
            out.heading(f"Recipient {index}: header")
            out.json(recipient["header"])
    kind = report.get("payload_kind")
    if kind == "claims":
        out.heading("Claims")
        out.json(report["claims"])
        if report["times"]:
            out.table(
                ["Claim", "Value", "Date", "When"],
                [[t["claim"], str(t["value"]), t["date"], t["relative"]] for t in report["times"]],
                title="Times",
            )
    elif kind in ("text", "token"):
        out.heading("Payload" if report["type"] == "JWS" else "Plaintext")
        text = report["payload"]
        out.line(text if len(text) <= 4000 else text[:4000] + f"... ({len(text)} characters)")
    elif kind == "binary":
        out.heading("Payload" if report["type"] == "JWS" else "Plaintext")
        out.line(
            f"{report['payload_size']} bytes, not text; base64url: {report['payload_b64url'][:200]}"
        )
    elif kind == "detached":
        out.line("The payload is detached (not in the token).", "dim")
    if report.get("decrypt_with"):
        out.heading("To decrypt it")
        for command in report["decrypt_with"]:
            out.line(command)
    if report.get("warnings"):
        out.heading("Warnings")
        for warning in report["warnings"]:
            out.line(f"! {warning}", "warn")
    if kind == "nested":
        out.heading("Nested token (the content of the token above)")
        render_report(out, report["nested"], top=False)
