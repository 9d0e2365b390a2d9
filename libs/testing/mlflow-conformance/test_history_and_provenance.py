"""What the MLflow client does is ordinary mreg history (actor = the caller) and provenance (run, params,
metrics, lineage, artifacts by SHA-256)."""
import os
import re
import urllib.parse

import mlflow
import pytest

from conftest import AWAIT_S, as_user, mreg_history, open_policy, sha256_file, unique

pytestmark = pytest.mark.mreg_only
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def provenance(target, name, version):
    status, body = target.api("GET", f"/api/v1/models/{urllib.parse.quote(name)}/versions/{version}/provenance", "rita")
    assert status == 200, body
    return body


def test_history_records_mlflow_calls_with_the_caller_as_actor(client, target, name, classic_run):
    client.create_registered_model(name, description="d0")
    client.update_registered_model(name, description="d1")
    client.set_registered_model_tag(name, "team", "risk")
    client.delete_registered_model_tag(name, "team")
    client.create_model_version(name, classic_run.model_source, run_id=classic_run.run_id, await_creation_for=AWAIT_S)
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.set_registered_model_alias(name, "champion", "1")
    with as_user(target, "admin"):
        client.update_model_version(name, "1", description="by the admin")

    history = mreg_history(target, name)
    by_type = {}
    for entry in history:
        by_type.setdefault(entry["type"], []).append(entry)
    for event_type in ("ModelRegistered", "ModelDescriptionChanged", "ModelTagSet", "ModelTagRemoved",
                       "ModelVersionTagSet", "AliasAssigned"):
        assert event_type in by_type, f"{event_type} in history: {sorted(by_type)}"
        assert {e["actor"] for e in by_type[event_type]} == {"alice"}, event_type
    version_entries = [e for e in history if e.get("version") == 1 and e["type"] != "ModelVersionDescriptionChanged"]
    assert version_entries and {e["actor"] for e in version_entries} == {"alice"}
    assert [e["actor"] for e in by_type.get("ModelVersionDescriptionChanged", [])] == ["admin"]

    status, integrity = target.api("GET", f"/api/v1/models/{urllib.parse.quote(name)}/integrity", "rita")
    assert status == 200, integrity
    assert integrity["valid"] is True, integrity


def test_history_records_a_transition_through_mlflow(client, target, name, classic_run):
    client.create_registered_model(name)
    client.create_model_version(name, classic_run.model_source, run_id=classic_run.run_id, await_creation_for=AWAIT_S)
    open_policy(target, name)
    client.transition_model_version_stage(name, "1", "Staging")
    history = mreg_history(target, name)
    applied = [e for e in history if e["type"] == "TransitionApplied"]
    assert applied, sorted({e["type"] for e in history})
    stage_history = provenance(target, name, 1)["stageHistory"]
    assert [(s["from"], s["to"], s["requestedBy"]) for s in stage_history] == [("development", "staging", "alice")]


def test_provenance_of_a_version_registered_from_a_classic_run(client, target, name, trained):
    mlflow.set_experiment(unique("exp-prov"))
    with mlflow.start_run() as run:
        mlflow.log_params({"C": "1.0", "solver": "lbfgs"})
        mlflow.log_metric("auc", 0.8, step=0)
        mlflow.log_metric("auc", 0.94, step=1)
        mlflow.set_tags({"mlflow.source.git.commit": "3f2a9c1e7b", "mlflow.source.git.repoURL": "https://git.example.com/risk/fraud.git"})
        dataset = mlflow.data.from_numpy(trained.X, source="https://data.example.com/tx-2026-q3.npy", name="transactions")
        mlflow.log_input(dataset, context="training")
        d = os.path.join(os.environ.get("TMPDIR", "/tmp"), unique("prov-save"))
        mlflow.sklearn.save_model(trained.model, d)
        mlflow.log_artifacts(d, artifact_path="model")
    mlflow.register_model(f"runs:/{run.info.run_id}/model", name, await_registration_for=AWAIT_S)

    p = provenance(target, name, 1)
    assert p["model"] == name and p["version"] == 1 and p["registeredBy"] == "alice"
    assert p["training"]["runId"] == run.info.run_id
    assert p["training"]["params"] == {"C": "1.0", "solver": "lbfgs"}
    assert p["training"]["metrics"] == {"auc": 0.94}
    assert p["code"] == {"repository": "https://git.example.com/risk/fraud.git", "commit": "3f2a9c1e7b"}
    assert [(ds["name"], ds["uri"]) for ds in p["datasets"]] == [("transactions", "https://data.example.com/tx-2026-q3.npy")]

    files = {a["path"]: a for a in p["artifacts"]}
    mlmodel = next((f for path, f in files.items() if path.endswith("MLmodel")), None)
    assert mlmodel is not None, sorted(files)
    assert all(HEX64.match(a["sha256"]) and a["size"] > 0 for a in p["artifacts"])
    assert mlmodel["sha256"] == sha256_file(os.path.join(d, "MLmodel"))
    assert len(p["artifacts"]) == len(os.listdir(d))


def test_provenance_of_a_logged_model_version(client, target, name, trained):
    mlflow.set_experiment(unique("exp-prov-logged"))
    with mlflow.start_run() as run:
        mlflow.log_param("C", "0.5")
        mlflow.log_metric("accuracy", 0.97)
        info = mlflow.sklearn.log_model(trained.model, name="model", registered_model_name=name,
                                        await_registration_for=AWAIT_S)
    p = provenance(target, name, 1)
    assert p["training"]["runId"] == run.info.run_id
    assert p["training"]["params"].get("C") == "0.5"
    assert p["training"]["metrics"].get("accuracy") == 0.97
    assert p["artifacts"], "the logged model's files are in the version's manifest"
    assert all(HEX64.match(a["sha256"]) for a in p["artifacts"])
    local = mlflow.artifacts.download_artifacts(f"models:/{info.model_id}")
    on_disk = {f: sha256_file(os.path.join(local, f)) for f in os.listdir(local) if os.path.isfile(os.path.join(local, f))}
    recorded = {a["path"].split("/")[-1]: a["sha256"] for a in p["artifacts"]}
    assert recorded.get("MLmodel") == on_disk["MLmodel"]


def test_version_from_mlflow_is_an_mreg_version(client, target, name, classic_run):
    client.create_registered_model(name, tags={"team": "risk"})
    client.create_model_version(name, classic_run.model_source, run_id=classic_run.run_id, await_creation_for=AWAIT_S)
    status, model = target.api("GET", f"/api/v1/models/{urllib.parse.quote(name)}", "rita")
    assert status == 200, model
    assert model["name"] == name
    status, version = target.api("GET", f"/api/v1/models/{urllib.parse.quote(name)}/versions/1", "rita")
    assert status == 200, version
    assert version["stage"] == "development"
    assert version["runId"] == classic_run.run_id
    assert version["createdBy"] == "alice"
    assert version["tags"] == {} or version["tags"] == []
