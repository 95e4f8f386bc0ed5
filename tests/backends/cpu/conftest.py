"""Make this folder's helper module (`cpuhelp`) importable by its tests; skip the tests that
build C when the machine has no C compiler (`cc`)."""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

NO_CC_NEEDED = {"test_errors.py"}      # every other test module here builds C


def pytest_collection_modifyitems(items):
    if shutil.which("cc") is not None:
        return
    skip = pytest.mark.skip(reason="no C compiler `cc` on this machine (the cpu target needs one)")
    here = os.path.dirname(__file__)
    for item in items:
        path = str(item.fspath)
        if os.path.basename(path) not in NO_CC_NEEDED and os.path.dirname(path) == here:
            item.add_marker(skip)
