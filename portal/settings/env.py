"""Reading deployer settings from the environment, with errors that name the variable."""

import os

from django.core.exceptions import ImproperlyConfigured


class MissingSetting(ImproperlyConfigured):
    """A required environment variable is unset or invalid; manage.py and wsgi print it alone."""


def env(name, default=None):
    value = os.environ.get(name, "").strip()
    return value if value else default


def env_bool(name, default):
    value = env(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise MissingSetting(f"{name} must be true or false, not {value!r}")


def env_int(name, default, minimum=None):
    value = env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise MissingSetting(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise MissingSetting(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def require(name, hint):
    value = env(name)
    if value is None:
        raise MissingSetting(f"{name} environment variable must be set: {hint}")
    return value
