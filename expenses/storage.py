"""The private storage: receipts and a bucket's files are never at a public address.

settings.STORAGES["private"] is a folder under the project (var/private) by default, an
S3-compatible bucket when configured from the environment. Files are read back only through
views that check the reader's role and stream them (expenses/api.py, expenses/views.py).

The fields hold a proxy that finds settings.STORAGES["private"] when first used, and again
after the setting changes (tests put it in a temporary folder): the migrations do not depend
on which backend the settings chose.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


private = PrivateStorage()


def private_storage():
    return private


def _reset(*, setting, **kwargs):
    if setting == "STORAGES":
        private._wrapped = empty


setting_changed.connect(_reset)
