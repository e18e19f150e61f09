"""The tenant-scoped file store: everything residents and staff upload or download.

Files live in PostgreSQL (``stored_file`` and its 1 MB chunks), under the cooperative's
row-level security like every other tenant-owned row: web and worker processes need no shared
disk, a backup holds them, and another cooperative cannot reach them by any id. Size, type and
image checks and the download headers are here, once, and the one way a request hands a file
to them (``uploads.takes_upload``: size limit, CSRF, the 413 page). Nothing here commits.
"""

from iok_saas.files.attachments import Checked, check_attachment
from iok_saas.files.images import clean_image
from iok_saas.files.store import (
    CHUNK,
    FileProblem,
    TooLarge,
    delete,
    download,
    find,
    read,
    read_upload,
    spooled,
    store,
    store_stream,
)

__all__ = ["CHUNK", "Checked", "FileProblem", "TooLarge", "check_attachment", "clean_image",
           "delete", "download", "find", "read", "read_upload", "spooled", "store",
           "store_stream"]
