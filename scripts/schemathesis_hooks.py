"""Schemathesis hooks for scripts/schemathesis.sh.

An Idempotency-Key is, by its contract, unique per distinct request: a key
sent again with another body is refused (422) by design, as Stripe does. The
generator does not know that contract and reuses values ("0", "00", ...)
across requests, so each generated request gets a fresh key here, the way a
real client makes one. The header itself stays generated and checked (its
presence, length and the server's answer).
"""
import uuid

import schemathesis


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        valid = (
            isinstance(value, str)
            and 1 <= len(value) <= 255
            and all(33 <= ord(c) <= 126 for c in value)
        )
        # An invalid key (a negative case) is left as generated: it must be refused.
        if name.lower() == "idempotency-key" and valid:
            headers[name] = f"st-{uuid.uuid4()}"
