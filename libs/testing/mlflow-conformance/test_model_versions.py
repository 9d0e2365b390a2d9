"""Model versions: the three sources, register_model, log_model(registered_model_name=...), get / update / tags /
delete, get_latest_versions, get_model_version_download_uri."""
import os

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from conftest import AWAIT_S, new_version, open_policy, unique


def test_create_model_version_from_mlflow_artifacts_source(client, name, classic_run):
    client.create_registered_model(name)
    v1 = client.create_model_version(name, classic_run.model_source, run_id=classic_run.run_id,
                                     tags={"validated": "no"}, description="first cut", await_creation_for=AWAIT_S)
    assert classic_run.model_source.startswith("mlflow-artifacts:")
    assert v1.name == name
    assert v1.version == "1"
    assert v1.source == classic_run.model_source
    assert v1.run_id == classic_run.run_id
    assert v1.current_stage == "None"
    assert v1.status == "READY"
    assert v1.description == "first cut"
    assert v1.tags == {"validated": "no"}
    v2 = client.create_model_version(name, classic_run.model_source, run_id=classic_run.run_id, await_creation_for=AWAIT_S)
    assert v2.version == "2"

    got = client.get_model_version(name, "1")
    assert (got.version, got.source, got.run_id, got.status, got.current_stage) == ("1", v1.source, classic_run.run_id, "READY", "None")
    assert got.tags == {"validated": "no"}
    assert isinstance(got.creation_timestamp, int) and got.creation_timestamp > 0


def test_create_model_version_from_runs_uri(client, name, classic_run, trained):
    client.create_registered_model(name)
    source = f"runs:/{classic_run.run_id}/model"
    mv = client.create_model_version(name, source, run_id=classic_run.run_id, await_creation_for=AWAIT_S)
    assert mv.version == "1"
    assert mv.run_id == classic_run.run_id
    assert mv.status == "READY"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_create_model_version_from_logged_model(client, name, target, trained):
    mlflow.set_experiment(unique("exp-logged"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(trained.model, name="model")
    assert info.model_id.startswith("m-")
    client.create_registered_model(name)
    mv = client.create_model_version(name, f"models:/{info.model_id}", run_id=run.info.run_id, model_id=info.model_id,
                                     await_creation_for=AWAIT_S)
    assert mv.version == "1"
    assert mv.source == f"models:/{info.model_id}"
    assert mv.run_id == run.info.run_id
    assert mv.status == "READY"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_register_model_classic_run_artifact_layout(client, name, trained):
    mlflow.set_experiment(unique("exp-classic"))
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", "0.5")
        d = os.path.join(os.environ.get("TMPDIR", "/tmp"), unique("save"))
        mlflow.sklearn.save_model(trained.model, d)
        mlflow.log_artifacts(d, artifact_path="model")
    mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", name, await_registration_for=AWAIT_S)
    assert mv.name == name
    assert mv.version == "1"
    assert mv.run_id == run.info.run_id
    assert mv.source == f"{run.info.artifact_uri}/model"
    assert client.get_model_version(name, "1").status == "READY"
    # a second registration of the same run is version 2 of the existing model
    assert mlflow.register_model(f"runs:/{run.info.run_id}/model", name, await_registration_for=AWAIT_S).version == "2"
    loaded = mlflow.sklearn.load_model(f"models:/{name}/2")
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_register_model_of_a_logged_model_run(client, name, trained):
    """MLflow 3: `runs:/<run>/model` where the run logged a model named "model" resolves to the logged model."""
    mlflow.set_experiment(unique("exp-logged-run"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(trained.model, name="model")
    mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", name, await_registration_for=AWAIT_S)
    assert mv.version == "1"
    assert mv.source == f"models:/{info.model_id}"
    assert mv.run_id == run.info.run_id
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_log_model_with_registered_model_name(client, name, trained):
    """start_run / log_param / log_metric / set_tag / log_model(registered_model_name) / end_run (MLflow 3 layout)."""
    mlflow.set_experiment(unique("exp-log-model"))
    run = mlflow.start_run()
    mlflow.log_param("C", 1.0)
    mlflow.log_metric("accuracy", 0.91)
    mlflow.log_metric("accuracy", 0.95, step=1)
    mlflow.set_tag("team", "risk")
    info = mlflow.sklearn.log_model(trained.model, name="model", registered_model_name=name,
                                    await_registration_for=AWAIT_S)
    mlflow.end_run()

    assert str(info.registered_model_version) == "1"
    assert info.model_id.startswith("m-")
    assert info.model_uri == f"models:/{info.model_id}"
    mv = client.get_model_version(name, "1")
    assert mv.source == f"models:/{info.model_id}"
    assert mv.run_id == run.info.run_id
    assert mv.status == "READY"

    finished = client.get_run(run.info.run_id)
    assert finished.info.status == "FINISHED"
    assert finished.data.params["C"] == "1.0"
    assert finished.data.metrics["accuracy"] == 0.95
    assert finished.data.tags["team"] == "risk"
    logged = client.get_logged_model(info.model_id)
    assert logged.source_run_id == run.info.run_id
    assert logged.name == "model"
    assert str(logged.status).endswith("READY")

    loaded = mlflow.sklearn.load_model(f"models:/{name}/1")
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_update_model_version_description(client, name, classic_run):
    new_version(client, name, classic_run)
    updated = client.update_model_version(name, "1", description="validated on Q3")
    assert updated.version == "1" and updated.description == "validated on Q3"
    assert client.get_model_version(name, "1").description == "validated on Q3"


def test_model_version_tags_set_and_delete(client, name, classic_run):
    new_version(client, name, classic_run)
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.set_model_version_tag(name, "1", "owner", "alice")
    assert client.get_model_version(name, "1").tags == {"validated": "yes", "owner": "alice"}
    client.delete_model_version_tag(name, "1", "owner")
    assert client.get_model_version(name, "1").tags == {"validated": "yes"}
    client.delete_model_version_tag(name, "1", "never-set")  # 200 on MLflow
    assert client.get_model_version(name, "1").tags == {"validated": "yes"}


def test_delete_model_version(client, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    client.delete_model_version(name, "1")
    with pytest.raises(MlflowException) as e:
        client.get_model_version(name, "1")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_model_version(name, "2").version == "2"
    assert [v.version for v in client.search_model_versions(f"name = '{name}'")] == ["2"]
    with pytest.raises(MlflowException) as e:
        client.delete_model_version(name, "1")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_get_latest_versions(client, target, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    latest = client.get_latest_versions(name)
    assert [(v.version, v.current_stage) for v in latest] == [("3", "None")]
    assert [v.version for v in client.get_latest_versions(name, stages=["None"])] == ["3"]
    assert client.get_latest_versions(name, stages=["Production"]) == []

    open_policy(target, name)
    client.transition_model_version_stage(name, "1", "Staging")
    by_stage = {v.current_stage: v.version for v in client.get_latest_versions(name)}
    assert by_stage == {"None": "3", "Staging": "1"}
    assert [v.version for v in client.get_latest_versions(name, stages=["Staging"])] == ["1"]
    # the registered model lists the latest version per stage too
    assert sorted((v.current_stage, v.version) for v in client.get_registered_model(name).latest_versions) == [("None", "3"), ("Staging", "1")]


def test_get_model_version_download_uri(client, name, classic_run, trained):
    new_version(client, name, classic_run)
    uri = client.get_model_version_download_uri(name, "1")
    assert isinstance(uri, str) and uri
    local = mlflow.artifacts.download_artifacts(artifact_uri=uri)
    files = set(os.listdir(local))
    assert "MLmodel" in files
    assert {"requirements.txt", "python_env.yaml"} <= files
    loaded = mlflow.sklearn.load_model(local)
    assert list(loaded.predict(trained.X)) == list(trained.expected)


def test_get_model_version_download_uri_of_logged_model_version(client, name, trained):
    mlflow.set_experiment(unique("exp-dl-logged"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(trained.model, name="model", registered_model_name=name,
                                        await_registration_for=AWAIT_S)
    uri = client.get_model_version_download_uri(name, "1")
    local = mlflow.artifacts.download_artifacts(artifact_uri=uri)
    assert "MLmodel" in os.listdir(local)
    with open(os.path.join(local, "MLmodel")) as f:
        assert info.model_id in f.read()
