"""search_registered_models and search_model_versions: filters, order_by, max_results, page tokens."""
import pytest
from mlflow.exceptions import MlflowException

from conftest import new_version, unique


@pytest.fixture
def catalog(client):
    """Five models sharing a fresh prefix; odd ones are team=risk, even ones team=ops."""
    prefix = unique("search")
    names = []
    for i in range(5):
        n = f"{prefix}-{i}"
        client.create_registered_model(n, tags={"team": "risk" if i % 2 else "ops", "idx": str(i)}, description=f"model {i}")
        names.append(n)
    return prefix, names


def walk_pages(search, page_size):
    """Every page of a search; asserts page sizes and that only the last page has no token."""
    pages, token = [], None
    while True:
        page = search(max_results=page_size, page_token=token)
        assert len(page) <= page_size
        pages.append(list(page))
        token = page.token
        if not token:
            return pages
        assert len(page) == page_size, "a page with a next token is full"
        assert len(pages) < 100, "pagination does not end"


def test_search_registered_models_by_name_like(client, catalog):
    prefix, names = catalog
    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'")
    assert [m.name for m in found] == names  # default order: name ascending
    assert not found.token, "one page: no next page token"
    one = client.search_registered_models(filter_string=f"name = '{names[3]}'")
    assert [m.name for m in one] == [names[3]]
    assert one[0].tags == {"team": "risk", "idx": "3"}
    assert one[0].description == "model 3"


def test_search_registered_models_by_tag(client, catalog):
    prefix, names = catalog
    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%' AND tags.team = 'risk'")
    assert [m.name for m in found] == [names[1], names[3]]
    found = client.search_registered_models(filter_string=f"tags.idx = '4' AND name LIKE '{prefix}%'")
    assert [m.name for m in found] == [names[4]]
    found = client.search_registered_models(filter_string=f"name ILIKE '{prefix.upper()}-%' AND tags.`team` != 'risk'")
    assert [m.name for m in found] == [names[0], names[2], names[4]]


def test_search_registered_models_empty_result(client, catalog):
    prefix, _ = catalog
    found = client.search_registered_models(filter_string=f"name = '{prefix}-nothing'")
    assert list(found) == []
    assert not found.token, "one page: no next page token"


def test_search_registered_models_order_by_and_pages(client, catalog):
    prefix, names = catalog
    pages = walk_pages(lambda **kw: client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"], **kw), page_size=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    seen = [m.name for p in pages for m in p]
    assert seen == sorted(names, reverse=True)
    assert len(set(seen)) == len(seen)


def test_search_registered_models_repeated_order_by(client, catalog):
    prefix, names = catalog
    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'",
                                            order_by=["last_updated_timestamp DESC", "name ASC"])
    assert sorted(m.name for m in found) == names
    stamps = [m.last_updated_timestamp for m in found]
    assert stamps == sorted(stamps, reverse=True)


def test_search_registered_models_page_size_one_walks_everything(client, catalog):
    prefix, names = catalog
    pages = walk_pages(lambda **kw: client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", **kw), page_size=1)
    assert [m.name for p in pages for m in p] == names


def test_search_registered_models_errors(client, catalog):
    prefix, _ = catalog
    for bad in ("foo = 'bar'", "name ===", "name LIKE"):
        with pytest.raises(MlflowException) as e:
            client.search_registered_models(filter_string=bad)
        assert e.value.error_code == "INVALID_PARAMETER_VALUE", bad
    with pytest.raises(MlflowException) as e:
        client.search_registered_models(order_by=["foo ASC"])
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as e:
        client.search_registered_models(page_token="not-a-token")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.fixture
def versions(client, classic_run):
    """Two models with 3 and 2 versions; version 2 of the first is tagged k=v."""
    prefix = unique("smv")
    a, b = f"{prefix}-a", f"{prefix}-b"
    for _ in range(3):
        new_version(client, a, classic_run)
    for _ in range(2):
        new_version(client, b, classic_run)
    client.set_model_version_tag(a, "2", "k", "v")
    return prefix, a, b


def test_search_model_versions_by_name(client, versions):
    _, a, b = versions
    found = client.search_model_versions(f"name = '{a}'")
    assert sorted(v.version for v in found) == ["1", "2", "3"]
    assert all(v.name == a for v in found)
    assert not found.token, "one page: no next page token"
    v2 = next(v for v in found if v.version == "2")
    assert v2.tags == {"k": "v"}
    assert v2.status == "READY" and v2.current_stage == "None"


def test_search_model_versions_by_run_id_and_tag(client, versions, classic_run):
    prefix, a, b = versions
    found = client.search_model_versions(f"run_id = '{classic_run.run_id}' AND name LIKE '{prefix}-%'")
    assert sorted((v.name, v.version) for v in found) == [(a, "1"), (a, "2"), (a, "3"), (b, "1"), (b, "2")]
    tagged = client.search_model_versions(f"tags.k = 'v' AND name = '{a}'")
    assert [(v.name, v.version) for v in tagged] == [(a, "2")]
    newer = client.search_model_versions(f"name = '{a}' AND version_number >= 2")
    assert sorted(v.version for v in newer) == ["2", "3"]


def test_search_model_versions_empty_result(client, versions):
    prefix, _, _ = versions
    found = client.search_model_versions(f"name = '{prefix}-none'")
    assert list(found) == []
    assert not found.token, "one page: no next page token"


def test_search_model_versions_order_by_and_pages(client, versions):
    prefix, a, b = versions
    pages = walk_pages(lambda **kw: client.search_model_versions(
        f"name LIKE '{prefix}-%'", order_by=["name ASC", "version_number DESC"], **kw), page_size=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    seen = [(v.name, v.version) for p in pages for v in p]
    assert seen == [(a, "3"), (a, "2"), (a, "1"), (b, "2"), (b, "1")]
    assert len(set(seen)) == len(seen)


def test_search_model_versions_errors(client, versions):
    with pytest.raises(MlflowException) as e:
        client.search_model_versions("foo = 'bar'")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as e:
        client.search_model_versions("name = 'x'", page_token="not-a-token")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
