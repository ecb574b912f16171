#!/usr/bin/env python3
"""The man page documents the CLI: every option each subcommand's --help
prints is in that subcommand's OPTIONS section of docs/mskprobe.1.scd, every
format name a --format line lists is under REPORT FORMATS, and every
subcommand `mskprobe --help` lists is under SUBCOMMANDS. A failure names
what is missing. With scdoc installed the page must also convert cleanly.

usage: man-options.py MSKPROBE SCD
"""
import re
import shutil
import subprocess
import sys

mskprobe, scd_path = sys.argv[1], sys.argv[2]
scd = open(scd_path, encoding="utf-8").read()
OPT = re.compile(r"(?<![\w-])--?[A-Za-z][A-Za-z0-9-]*")
FMT_LIST = re.compile(r"\b[a-z]+(?:(?:, ?|\||,? or )[a-z]+)+\b")
n = 0
failed = 0


def check(ok, what, missing=()):
    global n, failed
    n += 1
    if ok:
        print(f"ok {n} - {what}")
    else:
        failed += 1
        print(f"not ok {n} - {what}: missing {' '.join(missing)}")


def run_help(*args):
    p = subprocess.run([mskprobe, *args], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        print(f"Bail out! mskprobe {' '.join(args)} exited {p.returncode}")
        sys.exit(1)
    return p.stdout + p.stderr


def section(title):
    """Text of '# TITLE' up to the next '# ' heading ('' when absent)."""
    m = re.search(r"^# " + re.escape(title) + r"\n(.*?)(?=^# |\Z)", scd, re.M | re.S)
    return m.group(1) if m else ""


def bold(text, word):
    # scdoc escapes underscores; options and names are set in bold: *--name*
    return "*" + word.replace("_", "\\_") + "*" in text


def help_options(text):
    """Options a --help defines: the option column of indented lines that
    start with a dash, and the options of the usage lines."""
    opts, usage = set(), False
    for line in text.splitlines():
        if line.startswith("usage:"):
            usage = True
        elif not line.strip():
            usage = False
        if usage:
            opts.update(OPT.findall(line.replace("usage:", "")))
        elif re.match(r"^\s+-", line):
            column = re.split(r"(?<=\S)\s{2,}", line.strip(), maxsplit=1)[0]
            opts.update(OPT.findall(column))
    return opts


def help_formats(text):
    names = set()
    for line in text.splitlines():
        if "--format" in line:
            for lst in FMT_LIST.findall(line.split("(default")[0]):
                names.update(w for w in re.split(r", ?|\||,? or ", lst) if w)
    return names


top = run_help("--help")
cmds = re.findall(r"^  ([a-z]+)\s{2,}", top, re.M)
subs = section("SUBCOMMANDS")
check(cmds and all(bold(subs, c) for c in cmds), "SUBCOMMANDS lists every command of --help",
      [c for c in cmds if not bold(subs, c)] or ["(no commands parsed from --help)"])
glob = section("GLOBAL OPTIONS")
check(all(bold(glob, o) for o in ("--version", "-V", "--help", "-h")),
      "GLOBAL OPTIONS has --version, -V, --help, -h")

titles = {"diff": "DIFF AND TREND OPTIONS", "trend": "DIFF AND TREND OPTIONS"}
formats = section("REPORT FORMATS")
for cmd in cmds:
    text = run_help(cmd, "--help")
    title = titles.get(cmd, cmd.upper() + " OPTIONS")
    sec = section(title)
    opts = sorted(help_options(text))
    missing = [o for o in opts if not bold(sec, o)]
    check(sec and opts and not missing,
          f"every option of '{cmd} --help' ({len(opts)}) is under {title}",
          missing or [f"the section {title}" if not sec else "(no options parsed)"])
    names = sorted(help_formats(text))
    if names:
        gone = [f for f in names if not bold(formats + sec, f)]
        check(not gone, f"every --format name of '{cmd} --help' ({', '.join(names)}) is described", gone)

for title in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "FILES", "ENVIRONMENT",
              "SECURITY", "EXAMPLES", "SEE ALSO"):
    check(section(title).strip() != "", f"section {title} is there", [title])
codes = section("EXIT STATUS")
check(all(f"*{c}*" in codes for c in "0123"), "EXIT STATUS describes 0, 1, 2 and 3")

if shutil.which("scdoc"):
    with open(scd_path, "rb") as f:
        p = subprocess.run(["scdoc"], stdin=f, capture_output=True)
    check(p.returncode == 0 and b".SH EXIT STATUS" in p.stdout, "scdoc converts the page",
          [p.stderr.decode(errors="replace").strip()])
else:
    n += 1
    print(f"ok {n} - scdoc converts the page # SKIP scdoc is not installed")
print(f"1..{n}")
sys.exit(1 if failed else 0)
