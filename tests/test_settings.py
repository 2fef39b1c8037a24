from pathlib import Path

import pytest

from publisher.errors import SettingsError
from publisher.settings import load, setting_help


def test_defaults_are_valid():
    settings = load(env={})
    assert settings.base_uri == "http://localhost:8000/"
    assert settings.store == "oxigraph"


def test_file_then_environment_then_overrides(tmp_path: Path):
    file = tmp_path / "settings.toml"
    file.write_text('port = 9000\nbase_uri = "https://datos.example.ec/"\nmax_rows = 5\n')
    settings = load(file, env={"PUBLISHER_PORT": "9100"}, max_rows=7, host=None)
    assert settings.port == 9100  # environment beats the file
    assert settings.max_rows == 7  # an override beats both
    assert settings.base_uri == "https://datos.example.ec/"
    assert settings.host == "127.0.0.1"  # a None override is ignored


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_uri": "localhost:8000"}, "base_uri"),
        ({"base_uri": "http://x.ec"}, "base_uri"),
        ({"store": "virtuoso"}, "store"),
        ({"store": "sparql"}, "sparql_query_url"),
        ({"query_timeout": 0}, "query_timeout"),
        ({"port": 70000}, "port"),
    ],
)
def test_bad_values_are_refused_by_name(overrides, message):
    with pytest.raises(SettingsError, match=message):
        load(env={}, **overrides)


def test_unknown_setting_in_file_is_refused(tmp_path: Path):
    file = tmp_path / "settings.toml"
    file.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load(file, env={})


def test_environment_value_of_wrong_type_is_refused():
    with pytest.raises(SettingsError, match="max_rows"):
        load(env={"PUBLISHER_MAX_ROWS": "many"})


def test_every_setting_has_help():
    assert all(help_text.strip() for help_text in setting_help().values())
