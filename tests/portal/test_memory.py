"""A worker gives back the memory an upload's buffers took, once the request is done, and its
threads share two malloc arenas."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

# In a fresh interpreter: 60 MB of 64 KB blocks (under glibc's mmap threshold, so they come
# from the heap, as an upload's chunks do), all freed but one allocated after them, which keeps
# glibc from shrinking the heap by itself. Then gunicorn's hook runs for the given request.
SCRIPT = """
import json, re, runpy, sys
def rss():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1)) // 1024
hooks = runpy.run_path("gunicorn.conf.py")
blocks = [bytearray(64 * 1024) for _ in range(960)]
keep = bytearray(64 * 1024)
del blocks
before = rss()
hooks["post_request"](None, None, json.loads(sys.argv[1]), None)
print(json.dumps({"before": before, "after": rss()}))
"""


def rss_around_hook(environ):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(environ)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_a_request_with_files_gives_freed_memory_back():
    form = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=x"}
    measured = rss_around_hook(form)
    assert measured["before"] - measured["after"] >= 40


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_other_requests_leave_the_heap_alone():
    measured = rss_around_hook({"REQUEST_METHOD": "GET"})
    assert measured["before"] - measured["after"] < 10


def test_workers_still_collect_cyclic_garbage():
    """The hook run before a worker starts makes the collector run less often, never not at
    all: garbage in cycles (which reference counting never frees) goes within a few requests'
    worth of allocations."""
    script = """
import gc, json, runpy, weakref
hooks = runpy.run_path("gunicorn.conf.py")
hooks["pre_fork"](None, None)
class Node:
    pass
first = Node()
first.me = first
alive = weakref.ref(first)
del first
for _ in range(50_000):
    node = Node()
    node.me = node
print(json.dumps({"enabled": gc.isenabled(), "first_collected": alive() is None,
                  "young": gc.get_threshold()[0]}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    outcome = json.loads(result.stdout)
    assert outcome == {"enabled": True, "first_collected": True, "young": 10_000}


# In a fresh interpreter: gunicorn.conf.py read as the master reads it, then 12 threads each
# allocating from glibc at once, as a worker's threads do under load; malloc_info lists the
# arenas (<heap nr=...>) they were given.
ARENAS_SCRIPT = """
import ctypes, ctypes.util, json, re, runpy, sys, threading
runpy.run_path("gunicorn.conf.py")
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
barrier = threading.Barrier(12)
def work():
    barrier.wait()
    blocks = [libc.malloc(4096) for _ in range(100)]
    barrier.wait()
    for block in blocks:
        libc.free(ctypes.c_void_p(block))
threads = [threading.Thread(target=work) for _ in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
out = libc.fopen(sys.argv[1].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fclose(ctypes.c_void_p(out))
print(len(re.findall(r"<heap nr=", open(sys.argv[1]).read())))
"""


def arenas_under_load(tmp_path, cap):
    environment = {
        **os.environ,
        "GUNICORN_MALLOC_ARENAS": cap,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    result = subprocess.run(
        [sys.executable, "-c", ARENAS_SCRIPT, str(tmp_path / "malloc.xml")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(result.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc arenas")
def test_a_workers_threads_share_two_malloc_arenas(tmp_path):
    """Each thread that allocates gets an arena of its own from glibc, up to eight per core,
    which keeps what it freed: capped at two by gunicorn.conf.py (see its comment)."""
    assert arenas_under_load(tmp_path, "2") <= 2
    assert arenas_under_load(tmp_path, "0") > 2  # glibc's default, as a control


@pytest.mark.parametrize(
    ("name", "value", "lowest"),
    [
        ("GUNICORN_MALLOC_ARENAS", "abc", 0),
        ("GUNICORN_MALLOC_ARENAS", "-1", 0),
        ("WEB_CONCURRENCY", "0", 1),
        ("WEB_THREADS", "2.5", 1),
    ],
)
def test_a_bad_number_in_the_environment_stops_gunicorn_with_a_sentence(
    tmp_path, name, value, lowest
):
    environment = {
        **os.environ,
        name: value,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('gunicorn.conf.py')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    sentence = f"{name} must be a whole number of at least {lowest}, not {value!r}"
    assert result.stderr.strip() == sentence
