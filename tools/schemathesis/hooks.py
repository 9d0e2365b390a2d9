"""Hooks for the schemathesis run against mreg (loaded through SCHEMATHESIS_HOOKS by tools/schemathesis/run.sh).

Some values are not free text a client makes up: the document gives their syntax, and their meaning comes from
elsewhere. The generator draws them from the syntax alone, so a well-formed value is replaced here by one a client
would send; a malformed value is left as generated, so that its refusal is still checked. Every replacement is
deterministic (derived from the generated value), so a run with a fixed seed sends the same requests.

- Idempotency-Key names one request: the server answers 422 IDEMPOTENCY_MISMATCH when a key comes back with another
  request, as the contract says. The generator reuses the few short keys it likes across different requests, which
  no client does on purpose: each well-formed key is made unique per request.
- filter: the document gives the filter's tokens (a pattern) and, in `x-filter-fields`, the fields of the list and
  their types; the grammar that puts tokens together (nesting, counted conditions) is not a regular language. A
  well-formed filter is replaced by a filter drawn from that grammar over the list's own fields.
- pageToken: only the nextPageToken the server issued for the same query continues a list. A well-formed token is
  replaced by the one the server gives for the same query (its first page of one item), or left out when that
  query has a single page.
- Content-Digest: a well-formed header is replaced by the digest of the body being sent (sha-256 or sha-512).
"""

import base64
import hashlib
import os
import random
import re
import uuid

import requests
import schemathesis

KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
TOKEN = os.environ.get("MREG_SCHEMATHESIS_TOKEN", "")


def _drops_a_header(case):
    """A coverage case that leaves out a required header on purpose (changing it would make it an ordinary case)."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    scenario = getattr(getattr(data, "scenario", None), "value", getattr(data, "scenario", None))
    return getattr(data, "parameter_location", None) is not None and str(scenario).lower().endswith("missing_parameter")


def _parameter(case, location, name):
    """The operation's declaration of a parameter (as published), or None."""
    for parameter in (case.operation.definition.raw or {}).get("parameters", []):
        if isinstance(parameter, dict) and parameter.get("in") == location and str(parameter.get("name", "")).lower() == name.lower():
            return parameter
    return None


def _well_formed(value, parameter):
    """True when a string satisfies the declared schema's length and pattern."""
    schema = (parameter or {}).get("schema") or {}
    if not isinstance(value, str) or len(value) > schema.get("maxLength", len(value)):
        return False
    return "pattern" not in schema or re.search(schema["pattern"], value) is not None


def _random_for(*parts):
    return random.Random(hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest())


# ---- filter -------------------------------------------------------------------------------------------------------

TEXTS = ["risk", "fraud-detector", "it''s", "café", "", "Ω≈ç", "a b", "42"]
PATTERNS = ["fraud%", "%risk%", "_a%", "%", "it''s%", "100\\%"]
KEYS = ["team", "mlflow.source.type", "a-b:c_d", "`a b`", "`x``y`", "owner"]
NUMBERS = ["0", "1", "-3", "2.5", "1e3", "'7'", "999999999"]
TIMES = ["'2026-01-01'", "'2026-03-01T12:00:00Z'", "'2025-12-31T23:59:59.999+02:00'", "0", "1767225600000"]
KEYWORDS = {"AND": ["AND", "and", "And"], "OR": ["OR", "or"], "NOT": ["NOT", "not"], "LIKE": ["LIKE", "like"], "ILIKE": ["ILIKE", "ilike"], "IN": ["IN", "in"]}


def _word(rnd, keyword):
    return rnd.choice(KEYWORDS[keyword])


def _literal(rnd, kind):
    if kind == "number":
        return rnd.choice(NUMBERS)
    if kind == "timestamp":
        return rnd.choice(TIMES)
    text = rnd.choice(TEXTS)
    return rnd.choice(["0", "7"]) if rnd.random() < 0.1 else f"'{text}'"


def _predicate(rnd, fields):
    name, kind = rnd.choice(sorted(fields.items()))
    field = f"{name[:-2]}.{rnd.choice(KEYS)}" if name.endswith(".*") else name
    roll = rnd.random()
    if kind == "string" and roll < 0.3:
        negated = f"{_word(rnd, 'NOT')} " if rnd.random() < 0.3 else ""
        return f"{field} {negated}{_word(rnd, rnd.choice(['LIKE', 'ILIKE']))} '{rnd.choice(PATTERNS)}'"
    if roll < 0.45:
        return f"{field} {_word(rnd, 'IN')} ({', '.join(_literal(rnd, kind) for _ in range(rnd.randint(1, 3)))})"
    return f"{field} {rnd.choice(['=', '!=', '<>', '<', '<=', '>', '>='])} {_literal(rnd, kind)}"


def _filter(rnd, fields, depth=0):
    parts = [f"({_filter(rnd, fields, depth + 1)})" if depth < 2 and rnd.random() < 0.25 else _predicate(rnd, fields) for _ in range(rnd.randint(1, 3))]
    text = parts[0]
    for part in parts[1:]:
        text += f" {_word(rnd, rnd.choice(['AND', 'OR']))} {part}"
    return text


def _replace_filter(case):
    parameter = _parameter(case, "query", "filter")
    fields = (parameter or {}).get("x-filter-fields")
    value = (case.query or {}).get("filter")
    if not fields or not _well_formed(value, parameter) or value.strip() == "":
        return
    case.query["filter"] = _filter(_random_for(case.operation.label, value), fields)


# ---- pageToken ----------------------------------------------------------------------------------------------------

_first_pages = {}


def _next_page_token(case):
    """The nextPageToken the server gives for this query's first page of one item (None when there is none)."""
    query = {name: value for name, value in case.query.items() if name != "pageToken"}
    query["pageSize"] = 1
    url = case.as_transport_kwargs()["url"]
    key = (url, repr(sorted(query.items())))
    if key not in _first_pages:
        try:
            response = requests.get(url, params=query, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
            body = response.json() if response.status_code == 200 else {}
        except (requests.RequestException, ValueError):
            body = {}
        token = body.get("nextPageToken") if isinstance(body, dict) else None
        _first_pages[key] = token if isinstance(token, str) and token else None
    return _first_pages[key]


def _replace_page_token(case):
    value = (case.query or {}).get("pageToken")
    if not isinstance(value, str) or value == "" or not _well_formed(value, _parameter(case, "query", "pageToken")):
        return
    token = _next_page_token(case)
    if token is None:
        del case.query["pageToken"]
    else:
        case.query["pageToken"] = token


# ---- Content-Digest -----------------------------------------------------------------------------------------------


def _replace_content_digest(case):
    if case.headers is None:
        return
    for name in list(case.headers):
        value = case.headers[name]
        if name.lower() != "content-digest" or not _well_formed(value, _parameter(case, "header", name)) or value.strip() == "":
            continue
        body = case.as_transport_kwargs().get("data")
        data = body if isinstance(body, bytes) else (body or "").encode("utf-8")
        algorithm = _random_for(value).choice(["sha-256", "sha-512"])
        digest = hashlib.new(algorithm.replace("-", ""), data).digest()
        case.headers[name] = f"{algorithm}=:{base64.b64encode(digest).decode('ascii')}:"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.query:
        _replace_filter(case)
        _replace_page_token(case)
    if case.headers is None or _drops_a_header(case):
        return
    _replace_content_digest(case)
    for name in list(case.headers):
        value = case.headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and KEY.match(value):
            case.headers[name] = f"st-{uuid.uuid4()}"
