#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest stays valid and in step with meson.build.

It cannot be built here (no GNOME runtime), so check what can be checked:
valid JSON, the application id and command, every dependency of meson.build
that the GNOME runtime lacks has a module, every archive is pinned by sha256,
and Regdesk itself is the last module, built with meson from this tree.
"""
import json
import re
import sys

manifest_path, meson_path = sys.argv[1], sys.argv[2]

# What the GNOME Platform/SDK already provides.
RUNTIME = {
    "glib-2.0", "gobject-2.0", "gio-2.0", "gio-unix-2.0", "gtk4", "libadwaita-1",
    "libsoup-3.0", "json-glib-1.0", "gnutls",
}
# meson dependency name -> manifest module that provides it
MODULES = {"libpq": "postgresql", "libqrencode": "libqrencode"}

failures = []

with open(manifest_path, encoding="utf-8") as f:
    manifest = json.load(f)
with open(meson_path, encoding="utf-8") as f:
    meson = f.read()

app_id = re.search(r"app_id = '([^']+)'", meson).group(1)
if manifest.get("id") != app_id:
    failures.append(f"id {manifest.get('id')!r} != meson app_id {app_id!r}")
if manifest.get("command") != "regdesk":
    failures.append("command is not regdesk")
if not str(manifest.get("runtime", "")).startswith("org.gnome."):
    failures.append("runtime is not the GNOME runtime")

modules = manifest.get("modules", [])
names = [m.get("name") for m in modules if isinstance(m, dict)]
if not names or names[-1] != "regdesk":
    failures.append("the last module must be regdesk")
else:
    last = modules[-1]
    if last.get("buildsystem") != "meson":
        failures.append("regdesk must build with meson")
    if not any(s.get("type") == "dir" for s in last.get("sources", [])):
        failures.append("regdesk must build from this tree (a dir source)")

for dep in re.findall(r"dependency\('([^']+)'", meson):
    if dep in RUNTIME:
        continue
    module = MODULES.get(dep)
    if module is None:
        failures.append(f"meson dependency {dep!r} is neither in the runtime nor known here")
    elif module not in names:
        failures.append(f"meson dependency {dep!r} needs the module {module!r}")

for module in modules:
    for source in module.get("sources", []):
        if source.get("type") in ("archive", "file"):
            if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                failures.append(f"{module['name']}: {source.get('url')} is not pinned by sha256")
            if not source.get("url", "").startswith("https://"):
                failures.append(f"{module['name']}: source URL must be https")

# The pinyin table is generated at build time from Unihan: the runtime lacks
# it, so an earlier module must install the file the option points at.
if names and names[-1] == "regdesk":
    opts = [o for o in modules[-1].get("config-opts", []) if o.startswith("-Dunihan_readings=")]
    if not opts:
        failures.append("regdesk must set -Dunihan_readings (the runtime has no Unihan)")
    else:
        path = opts[0].split("=", 1)[1]
        if not any(path in " ".join(m.get("build-commands", [])) for m in modules[:-1]):
            failures.append(f"no module installs {path}")

print("1..1")
if failures:
    for failure in failures:
        print(f"# {failure}")
    print("not ok 1 - flatpak manifest")
    sys.exit(1)
print("ok 1 - flatpak manifest")
