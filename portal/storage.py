from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Storage for evidence: files are only ever read by permission-checked views.

    FileSystemStorage falls back to MEDIA_URL when base_url is None, which would give every
    evidence file a public address; here asking for one is an error.
    """

    def url(self, name):
        raise ValueError("Private files have no URL; stream them through a checked view.")
