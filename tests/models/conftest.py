"""The preset tests use the frontend tests' `calibrate` (random models that spike): make it importable."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "frontend"))
