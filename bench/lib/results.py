"""The end of a benchmark's report, shared by bench/fax.sh, bench/voicemail.sh and
bench/hotline.sh: prints the results table and whether every goal was met, writes the
table into the benchmark's README between its results markers (unless the README is "-"
or missing) and exits 0 when every goal was met, else 1."""
import datetime
import os
import platform
import re
import sys


def finish(lines, ok, readme, script, commit, threads, prio):
    """`lines`: the table; `script`: the benchmark's path, named in the README's block;
    `commit`, `threads` (the server's media threads) and `prio`: the run's."""
    print()
    print("== results (ratio >= 1.00 passes)")
    print("\n".join(lines))
    print("== all goals met" if ok else "== a goal was missed (or the load failed)")
    if readme != "-" and os.path.exists(readme):
        text = open(readme).read()
        when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        block = (f"<!-- results:begin (written by {script}) -->\n"
                 f"Last run {when}, commit {commit}, {os.cpu_count()} cores, Linux {platform.release()}, "
                 f"{threads} media threads, scheduling {prio}:\n\n```text\n" + "\n".join(lines) + "\n```\n<!-- results:end -->")
        text = re.sub(r"<!-- results:begin.*?<!-- results:end -->", lambda _: block, text, flags=re.S)
        open(readme, "w").write(text)
        print(f"(written to {readme})")
    sys.exit(0 if ok else 1)
