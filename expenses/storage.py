"""The private storage: receipts and a bucket's files are never at a public address.

settings.STORAGES["private"] is a folder under the project (var/private) by default, an
S3-compatible bucket when configured from the environment. Files are read back only through
views that check the reader's role and stream them (expenses/views.py, expenses/api.py).
A callable, so that the migrations do not depend on which backend the settings chose.
"""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
