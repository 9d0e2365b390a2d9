"""Stages (transition_model_version_stage, archive_existing_versions) and aliases."""
import pytest
from mlflow.exceptions import MlflowException

from conftest import move_to_stage, new_version, open_policy


def test_transition_model_version_stage(client, target, name, classic_run):
    new_version(client, name, classic_run)
    open_policy(target, name)
    mv = move_to_stage(client, name, "1", "Staging")
    assert mv.version == "1"
    move_to_stage(client, name, "1", "production", expected="Production")  # stage names are case-insensitive


def test_transition_with_archive_existing_versions(client, target, name, classic_run):
    for _ in range(4):
        new_version(client, name, classic_run)
    open_policy(target, name)
    client.transition_model_version_stage(name, "1", "Production")
    # without archive_existing_versions two versions may share a stage
    client.transition_model_version_stage(name, "2", "Production", archive_existing_versions=False)
    client.transition_model_version_stage(name, "3", "Staging")
    assert [client.get_model_version(name, v).current_stage for v in ("1", "2", "3")] == ["Production", "Production", "Staging"]

    # archiving touches the other versions in the target stage only
    mv = client.transition_model_version_stage(name, "4", "Production", archive_existing_versions=True)
    assert mv.current_stage == "Production"
    stages = {v: client.get_model_version(name, v).current_stage for v in ("1", "2", "3", "4")}
    assert stages == {"1": "Archived", "2": "Archived", "3": "Staging", "4": "Production"}
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["4"]


def test_transition_to_an_invalid_stage(client, name, classic_run):
    new_version(client, name, classic_run)
    with pytest.raises(MlflowException) as e:
        client.transition_model_version_stage(name, "1", "Bogus")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert client.get_model_version(name, "1").current_stage == "None"


def test_aliases_set_get_delete(client, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "challenger", "2")

    mv = client.get_model_version_by_alias(name, "champion")
    assert (mv.name, mv.version) == (name, "1")
    assert mv.aliases == ["champion"]
    assert client.get_registered_model(name).aliases == {"champion": "1", "challenger": "2"}
    assert client.get_model_version(name, "2").aliases == ["challenger"]

    # moving an alias takes it off the other version
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_model_version(name, "1").aliases == []
    assert sorted(client.get_model_version(name, "2").aliases) == ["challenger", "champion"]

    client.delete_registered_model_alias(name, "champion")
    assert client.get_registered_model(name).aliases == {"challenger": "2"}
    with pytest.raises(MlflowException) as e:
        client.get_model_version_by_alias(name, "champion")
    # MLflow answers 400 INVALID_PARAMETER_VALUE (not 404) for an alias that is not set
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_alias_errors(client, name, classic_run):
    new_version(client, name, classic_run)
    for reserved in ("latest", "LATEST", "v1", "V12"):
        with pytest.raises(MlflowException) as e:
            client.set_registered_model_alias(name, reserved, "1")
        assert e.value.error_code == "INVALID_PARAMETER_VALUE", reserved
    with pytest.raises(MlflowException) as e:
        client.set_registered_model_alias(name, "champion", "99")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as e:
        client.set_registered_model_alias(f"{name}-missing", "champion", "1")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # deleting an alias that is not set is not an error on MLflow
    client.delete_registered_model_alias(name, "never-set")
    assert client.get_registered_model(name).aliases == {}


def test_deleting_a_version_removes_its_aliases(client, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    client.set_registered_model_alias(name, "champion", "1")
    client.delete_model_version(name, "1")
    assert client.get_registered_model(name).aliases == {}
    with pytest.raises(MlflowException):
        client.get_model_version_by_alias(name, "champion")
