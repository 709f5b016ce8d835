"""Embedded defaults for `make run`: SQLite, console email, DEBUG on, no Redis needed."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
INTERNAL_IPS = ["127.0.0.1"]
