"""Make the loihi tests' graph builders (`loihelp`) importable here: both targets take the same
float graphs."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "loihi"))
