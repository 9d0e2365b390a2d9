"""Hooks for the schemathesis run against mreg (loaded through SCHEMATHESIS_HOOKS by tools/schemathesis/run.sh).

An Idempotency-Key names one request: the server answers 422 IDEMPOTENCY_MISMATCH when a key comes back with
another request, as the contract says. The generator draws keys at random from the declared pattern and reuses
the few short ones it likes across different requests, which no client does on purpose. Every well-formed key is
made unique per generated request; malformed keys are left as generated, so that their refusal is still checked.
"""

import re
import uuid

import schemathesis

KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _drops_a_header(case):
    """A coverage case that leaves out a required header on purpose (changing it would make it an ordinary case)."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    scenario = getattr(getattr(data, "scenario", None), "value", getattr(data, "scenario", None))
    return getattr(data, "parameter_location", None) is not None and str(scenario).lower().endswith("missing_parameter")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.headers is None or _drops_a_header(case):
        return
    for name in list(case.headers):
        value = case.headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and KEY.match(value):
            case.headers[name] = f"st-{uuid.uuid4()}"
