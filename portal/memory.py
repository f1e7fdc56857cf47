"""Memory a worker freed after an upload goes back to the operating system.

glibc's malloc serves a request above its mmap threshold (128 KB at start) from a mapping of
its own, returned whole when freed. But the first time such a block is freed, glibc raises
the threshold to that block's size (up to 32 MB), and keeps up to twice that free at the top
of the heap. From then on the buffers of a photo upload (the request body, the file, the
decoded pixels, the re-encoded picture) come from the heap, and their pages stay with the
worker after they are freed: a gunicorn worker that had taken reports with a 2 MB photo was
about 30 MB larger for good.

``release_freed_memory`` (glibc's malloc_trim) hands the free pages back, wherever they are in
the heap; gunicorn.conf.py calls it after each request with files. Fixing the mmap threshold
instead (mallopt) returned the memory as well, but made every large allocation of every
request a fresh mapping: a report with a photo cost about 12 ms more CPU in the worker.

The trim is not free either: the next upload faults its pages in again, about 2 µs a page
here. A worker that never trims takes a report with a 2 MB photo in about 5 ms less CPU but
grows past 150 MB; trimming only above 8-16 MB of free heap saved 3-4 ms and left workers at
137-153 MB. So every upload trims, and the upload path copies a photo as little as it can
(reporting/evidence/uploads.py, reporting/evidence/jpeg.py), which halved the faults.
"""

import ctypes
import ctypes.util
import functools
import platform


@functools.cache
def _libc():
    if platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def release_freed_memory():
    """Give the free pages of the heap back to the system; True when some were (always False
    on a C library other than glibc, which has no malloc_trim)."""
    libc = _libc()
    return bool(libc and libc.malloc_trim(0))
