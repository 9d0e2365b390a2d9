"""The official MLflow client (pinned in tools/python/requirements.txt) against a running registry.

Every test runs once per target (session fixture ``target``):
  embedded     the all-in-one mreg server          (tools/mlflow/serve-target.cjs embedded)
  distributed  four services + gateway, real Kafka, FerretDB, S3 (tools/mlflow/serve-target.cjs distributed)
  mlflow       a real ``mlflow server`` from the same venv (opt-in: MREG_CONFORMANCE_TARGETS=mlflow), which
               proves that what the tests expect is what MLflow does; ``mreg_only`` tests are skipped there.
One registry per target per session; every test uses its own model names.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# Before mlflow is imported: no telemetry, bounded retries (a 5xx must fail a test, not stall it for minutes).
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
for _var in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
             "MLFLOW_TRACKING_PASSWORD", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID"):
    os.environ.pop(_var, None)

import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
USERS = ("admin", "alice", "bob", "rita")  # admin, contributor, approver, reader
DEFAULT_USER = "alice"
TARGETS = [t.strip() for t in os.environ.get("MREG_CONFORMANCE_TARGETS", "embedded,distributed").split(",") if t.strip()]
START_TIMEOUT_S = float(os.environ.get("MREG_CONFORMANCE_START_TIMEOUT", "600"))
# How long a registration may stay PENDING_REGISTRATION before the client gives up (the client's default is 300 s).
AWAIT_S = 60


# ---- the target ------------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    url: str
    tokens: dict
    logs: str = ""
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def is_mreg(self) -> bool:
        return self.name != "mlflow"

    def api(self, method: str, path: str, user: str | None = "admin", body=None, headers: dict | None = None):
        """A raw call to mreg's own API (/api/v1, documented in docs/api/openapi.json): (status, parsed body)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if user is not None:
            req.add_header("Authorization", f"Bearer {self.tokens[user]}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, raw = res.status, res.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return status, parsed

    def log_tail(self, lines: int = 40) -> str:
        if not self.logs or not os.path.isdir(self.logs):
            return ""
        out = []
        for p in sorted(Path(self.logs).rglob("*.log")):
            try:
                text = p.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            if text:
                out.append(f"--- {p.name}\n" + "\n".join(text))
        return "\n".join(out)


def _say(config, message: str, loud: bool = False) -> None:
    """Prints past pytest's output capture (a skipped target must be seen, not only counted)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    ctx = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
    with ctx:
        if reporter is not None:
            reporter.write_line(f"\n*** {message}\n" if loud else message, red=loud, bold=loud)
        else:
            sys.stderr.write(f"{message}\n")


def _read_first_line(stream, timeout_s: float) -> str | None:
    box: list = []
    thread = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    thread.start()
    thread.join(timeout_s)
    return box[0] if box else None


def _start_mreg(name: str) -> Target:
    cmd = ["node", str(ROOT / "tools" / "node" / "run.cjs"), str(ROOT / "tools" / "mlflow" / "serve-target.cjs"), name]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True,
                            start_new_session=True)
    line = _read_first_line(proc.stdout, START_TIMEOUT_S)
    if not line:
        _stop_process(proc)
        raise RuntimeError(f"tools/mlflow/serve-target.cjs {name} printed nothing within {START_TIMEOUT_S:.0f} s (exit code {proc.poll()})")
    info = json.loads(line)
    if "unavailable" in info:
        _stop_process(proc)
        return Target(name=name, url="", tokens={}, logs=info["unavailable"])
    if "error" in info:
        _stop_process(proc)
        raise RuntimeError(f"the {name} target did not start: {info['error']}")
    return Target(name=name, url=info["url"], tokens=info["tokens"], logs=info.get("logs", ""), process=proc)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_mlflow() -> Target:
    work = tempfile.mkdtemp(prefix="mreg-mlflow-real-")
    port = _free_port()
    exe = Path(sys.executable).with_name("mlflow")
    log = open(os.path.join(work, "mlflow.log"), "w")
    proc = subprocess.Popen(
        [str(exe), "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db", "--serve-artifacts",
         "--artifacts-destination", f"{work}/artifacts", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.poll()
    if proc.poll() is not None:
        raise RuntimeError(f"mlflow server did not start; see {work}/mlflow.log")
    # A real MLflow server has no auth: every "user" is anonymous there.
    return Target(name="mlflow", url=url, tokens={u: f"{u}-unused-token-0000" for u in USERS}, logs=work, process=proc)


def _stop_process(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(Exception):
        if proc.stdin:
            proc.stdin.close()  # serve-target.cjs stops when stdin closes
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session", params=TARGETS)
def target(request):
    name = request.param
    if name not in ("embedded", "distributed", "mlflow"):
        raise ValueError(f"unknown conformance target {name!r} (embedded, distributed, mlflow)")
    started = time.time()
    t = _start_mlflow() if name == "mlflow" else _start_mreg(name)
    if not t.url:
        reason = f"SKIPPED the {name} target: {t.logs}"
        _say(request.config, reason, loud=True)
        pytest.skip(reason)
    _say(request.config, f"\n[conformance] {name} target at {t.url} (ready in {time.time() - started:.1f} s)")
    yield t
    if name == "mlflow":
        if t.process and t.process.poll() is None:
            os.killpg(t.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                t.process.wait(timeout=20)
        shutil.rmtree(t.logs, ignore_errors=True)
    else:
        _stop_process(t.process)


def pytest_runtest_makereport(item, call):
    """Attach the target's server log tail to a failing test's report (the registry runs in other processes)."""
    if call.when == "call" and call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
        t = item.funcargs.get("target") if hasattr(item, "funcargs") else None
        if isinstance(t, Target) and t.is_mreg and os.environ.get("MREG_CONFORMANCE_LOG_TAIL") == "1":
            item.add_report_section("call", "server log tail", t.log_tail())


# ---- per-test client setup ------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def mlflow_env(request, target, monkeypatch):
    """Points the fluent API and MlflowClient at the target, as DEFAULT_USER (alice, a contributor)."""
    if request.node.get_closest_marker("mreg_only") and not target.is_mreg:
        pytest.skip("mreg-specific behaviour (not part of MLflow): skipped against a real MLflow server")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", target.url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", target.tokens[DEFAULT_USER])
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    mlflow.set_tracking_uri(target.url)
    mlflow.set_registry_uri(target.url)
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def client(target) -> MlflowClient:
    return MlflowClient(tracking_uri=target.url, registry_uri=target.url)


_CREDENTIAL_VARIABLES = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")


@contextlib.contextmanager
def _credentials(**values: str):
    """Exactly these MLflow credential variables (the others unset) for the calls inside the block."""
    saved = {k: os.environ.get(k) for k in _CREDENTIAL_VARIABLES}
    for k in _CREDENTIAL_VARIABLES:
        os.environ.pop(k, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def as_user(target: Target, user: str | None):
    """Bearer token of `user` (None: no credentials at all) for the calls inside the block."""
    return _credentials() if user is None else _credentials(MLFLOW_TRACKING_TOKEN=target.tokens[user])


def basic_auth(username: str, password: str):
    """HTTP basic credentials (no token) for the calls inside the block."""
    return _credentials(MLFLOW_TRACKING_USERNAME=username, MLFLOW_TRACKING_PASSWORD=password)


# ---- names, data, model ----------------------------------------------------------------------------------

_SESSION = uuid.uuid4().hex[:6]
_counter = iter(range(1, 1_000_000))


def unique(prefix: str = "m") -> str:
    """A model or experiment name unique to this test (targets share nothing, tests share a registry)."""
    return f"{prefix}-{_SESSION}-{next(_counter)}"


@pytest.fixture
def name(request) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower().removeprefix("test_"))[:40].strip("-")
    return unique(base)


@dataclass
class Trained:
    model: object
    X: np.ndarray
    expected: np.ndarray


@pytest.fixture(scope="session")
def trained() -> Trained:
    """A small scikit-learn classifier trained here (two features, a learnable rule)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    probe = np.array([[2.0, 2.0], [-2.0, -2.0], [1.5, -0.5], [-1.0, 0.2]])
    return Trained(model=model, X=probe, expected=model.predict(probe))


@dataclass
class ClassicRun:
    """A finished run whose artifacts hold a model in the classic run-artifact layout (`<run>/artifacts/model`)."""
    run_id: str
    experiment_id: str
    artifact_uri: str
    params: dict
    metrics: dict

    @property
    def model_source(self) -> str:
        return f"{self.artifact_uri}/model"


def log_classic_run(trained: Trained, experiment: str, extra_tags: dict | None = None) -> ClassicRun:
    """start_run / log_param / log_metric / set_tag / log_artifacts(model dir) / end_run."""
    exp = mlflow.set_experiment(experiment)
    params = {"C": "1.0", "solver": "lbfgs"}
    with mlflow.start_run(experiment_id=exp.experiment_id) as run:
        for k, v in params.items():
            mlflow.log_param(k, v)
        mlflow.log_metric("accuracy", 0.5, step=0)
        mlflow.log_metric("accuracy", 0.93, step=1)
        mlflow.set_tag("team", "risk")
        for k, v in (extra_tags or {}).items():
            mlflow.set_tag(k, v)
        with tempfile.TemporaryDirectory() as d:
            mlflow.sklearn.save_model(trained.model, os.path.join(d, "model"))
            mlflow.log_artifacts(os.path.join(d, "model"), artifact_path="model")
    return ClassicRun(run_id=run.info.run_id, experiment_id=exp.experiment_id, artifact_uri=run.info.artifact_uri,
                      params=params, metrics={"accuracy": 0.93})


@pytest.fixture(scope="session")
def classic_run(target, trained) -> ClassicRun:
    """One classic-layout run per target, shared by the tests that only need a version source."""
    os.environ["MLFLOW_TRACKING_TOKEN"] = target.tokens[DEFAULT_USER]
    mlflow.set_tracking_uri(target.url)
    try:
        return log_classic_run(trained, unique("conformance-shared"))
    finally:
        while mlflow.active_run() is not None:
            mlflow.end_run()


def new_version(client: MlflowClient, name: str, run: ClassicRun, **kwargs):
    """A version of `name` (created if missing) from the classic run's model directory, as register_model does."""
    try:
        client.get_registered_model(name)
    except MlflowException as e:
        if e.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        client.create_registered_model(name)
    return client.create_model_version(name, run.model_source, run_id=run.run_id, await_creation_for=AWAIT_S, **kwargs)


def move_to_stage(client: MlflowClient, name: str, version: str, stage: str, expected: str | None = None, **kwargs):
    """Moves a version to `stage`; the answer and a fresh read both show `expected` (default: `stage`)."""
    mv = client.transition_model_version_stage(name, version, stage, **kwargs)
    assert mv.current_stage == (expected or stage)
    assert client.get_model_version(name, version).current_stage == (expected or stage)
    return mv


# ---- mreg governance ---------------------------------------------------------------------------------------

OPEN_POLICY = {
    **{s: {"requiredApprovals": 0, "approverRole": "approver"} for s in ("development", "staging", "production", "archived")},
    "protectedAliases": {},
}


def open_policy(target: Target, name: str) -> None:
    """On mreg: the model's own policy needs no approval for any stage (MLflow's unguarded behaviour), set by the
    admin through /api/v1. A real MLflow server has no policies: nothing to do."""
    if not target.is_mreg:
        return
    status, body = target.api("PUT", f"/api/v1/models/{urllib.request.quote(name, safe='')}/policy", "admin", OPEN_POLICY)
    assert status == 200, f"PUT policy as admin: {status} {body}"


def mreg_history(target: Target, name: str) -> list:
    items, token = [], None
    while True:
        q = f"?pageSize=100" + (f"&pageToken={urllib.request.quote(token)}" if token else "")
        status, body = target.api("GET", f"/api/v1/models/{urllib.request.quote(name, safe='')}/history{q}", "admin")
        assert status == 200, f"GET history: {status} {body}"
        items.extend(body["items"])
        token = body.get("nextPageToken")
        if not token:
            return items


def eventually(check, timeout_s: float = 15.0, interval_s: float = 0.2):
    """Polls `check` (a callable returning a truthy value) until it is truthy or the time is up; returns its last
    value. For effects that cross services asynchronously (an approval applied through the bus)."""
    deadline = time.time() + timeout_s
    while True:
        value = check()
        if value or time.time() >= deadline:
            return value
        time.sleep(interval_s)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
