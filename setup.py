"""Package layout: `ir/`, `backends/` and `templates/` live at the top of the
repository (DESIGN section 2) but install as `snnc.ir`, `snnc.backends` and
`snnc.templates`. The package list is derived from the folders, never kept by hand."""
from setuptools import find_packages, setup

ROOTS = {"snnc": "snnc", "snnc.ir": "ir", "snnc.backends": "backends", "snnc.templates": "templates"}

packages, package_dir = [], {}
for name, folder in ROOTS.items():
    packages.append(name)
    package_dir[name] = folder
    for sub in find_packages(folder):
        packages.append(f"{name}.{sub}")
        package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(packages=packages, package_dir=package_dir)
