"""MlflowClient registered-model methods: create / get / update / rename / delete, tags."""
import pytest
from mlflow.exceptions import MlflowException

from conftest import new_version


def test_create_and_get_registered_model(client, name):
    created = client.create_registered_model(name, tags={"team": "risk", "tier": "1"}, description="card fraud")
    assert created.name == name
    assert created.description == "card fraud"
    assert created.tags == {"team": "risk", "tier": "1"}
    assert isinstance(created.creation_timestamp, int) and created.creation_timestamp > 0

    got = client.get_registered_model(name)
    assert got.name == name
    assert got.description == "card fraud"
    assert got.tags == {"team": "risk", "tier": "1"}
    assert got.creation_timestamp == created.creation_timestamp
    assert got.last_updated_timestamp >= got.creation_timestamp
    assert got.latest_versions == []
    assert got.aliases == {}


def test_create_registered_model_without_description_or_tags(client, name):
    created = client.create_registered_model(name)
    assert created.name == name
    assert created.tags == {}
    assert not created.description
    got = client.get_registered_model(name)
    assert got.tags == {} and not got.description


def test_update_registered_model_description(client, name):
    client.create_registered_model(name, description="first")
    updated = client.update_registered_model(name, description="second")
    assert updated.name == name
    assert updated.description == "second"
    got = client.get_registered_model(name)
    assert got.description == "second"
    assert got.last_updated_timestamp >= got.creation_timestamp


def test_registered_model_tags_set_and_delete(client, name):
    client.create_registered_model(name, tags={"team": "risk"})
    client.set_registered_model_tag(name, "owner", "alice")
    client.set_registered_model_tag(name, "team", "fraud")  # overwrite
    assert client.get_registered_model(name).tags == {"team": "fraud", "owner": "alice"}

    client.delete_registered_model_tag(name, "owner")
    assert client.get_registered_model(name).tags == {"team": "fraud"}
    # MLflow answers 200 when the tag is not there
    client.delete_registered_model_tag(name, "never-set")
    assert client.get_registered_model(name).tags == {"team": "fraud"}


def test_rename_registered_model_keeps_versions_and_frees_old_name(client, name, classic_run):
    new_version(client, name, classic_run)
    renamed = f"{name}-renamed"
    client.rename_registered_model(name, renamed)

    got = client.get_registered_model(renamed)
    assert got.name == renamed
    assert [v.version for v in got.latest_versions] == ["1"]
    mv = client.get_model_version(renamed, "1")
    assert mv.name == renamed and mv.run_id == classic_run.run_id

    with pytest.raises(MlflowException) as e:
        client.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # the old name is free again
    assert client.create_registered_model(name).name == name


def test_delete_registered_model(client, name):
    client.create_registered_model(name, tags={"k": "v"})
    client.delete_registered_model(name)
    with pytest.raises(MlflowException) as e:
        client.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as e:
        client.delete_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_delete_registered_model_with_versions(client, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    client.delete_registered_model(name)
    with pytest.raises(MlflowException) as e:
        client.get_model_version(name, "1")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_model_versions(f"name = '{name}'") == []
    # the name can be registered again
    assert client.create_registered_model(name).name == name
