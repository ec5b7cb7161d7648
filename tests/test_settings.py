"""Settings: defaults < TOML < environment < overrides, validated once, errors naming the key."""

import pytest

from disinfowatch.errors import ConfigError
from disinfowatch.settings import Settings, load


def test_precedence_toml_env_overrides(tmp_path):
    toml = tmp_path / "dw.toml"
    toml.write_text('host_delay = 3.5\nfetch_retries = 7\nlanguages = ["nb", "ru"]\n', encoding="utf-8")
    env = {"DISINFOWATCH_FETCH_RETRIES": "2", "DISINFOWATCH_RESPECT_ROBOTS": "false", "UNRELATED": "x"}
    s = load(toml, {"host_delay": 0.5}, env=env)
    assert s.host_delay == 0.5  # flag beats file
    assert s.fetch_retries == 2  # env beats file
    assert s.respect_robots is False
    assert s.languages == ("nb", "ru")
    assert s.fetch_timeout == Settings().fetch_timeout  # default kept


def test_env_list_and_config_path_from_env(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('[disinfowatch]\ndb = "sqlite:///x.db"\n', encoding="utf-8")
    s = load(env={"DISINFOWATCH_CONFIG": str(toml), "DISINFOWATCH_LANGUAGES": "en, de ,fr"})
    assert s.db == "sqlite:///x.db" and s.languages == ("en", "de", "fr")


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"fetch_timeout": "soon"}, "fetch_timeout"),
        ({"fetch_timeout": -1}, "fetch_timeout"),
        ({"respect_robots": "maybe"}, "respect_robots"),
        ({"languages": "nb,xx"}, "languages"),
        ({"db": "mysql://x"}, "db"),
        ({"near_duplicate_threshold": 1.5}, "near_duplicate_threshold"),
        ({"no_such_key": 1}, "no_such_key"),
    ],
)
def test_bad_values_name_the_key(overrides, key):
    with pytest.raises(ConfigError) as err:
        load(overrides=overrides, env={})
    assert err.value.key == key
    assert key in str(err.value)


def test_bad_toml_and_unknown_key_in_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("host_delay = = 2", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad, env={})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("hots_delay = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="hots_delay.*known: .*host_delay"):
        load(unknown, env={})
    with pytest.raises(ConfigError, match="file not found"):
        load(tmp_path / "missing.toml", env={})
