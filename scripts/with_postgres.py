"""Run a command against a throwaway PostgreSQL server, or DATABASE_URL if it is set.

    python scripts/with_postgres.py -- pytest ...

The server is made from the PostgreSQL binaries on the machine (initdb/pg_ctl on PATH or under
/usr/lib/postgresql/*/bin), lives in a temporary folder, listens on loopback only, runs with
durability switched off (it is thrown away) and is stopped and removed afterwards. PostgreSQL
refuses to run as root, so under root it runs as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def find_bin_dir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print("usage: with_postgres.py -- COMMAND ...", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)

    bin_dir = find_bin_dir()
    if bin_dir is None:
        print(
            "Fant verken DATABASE_URL eller PostgreSQL-programmer (initdb, pg_ctl). "
            "Installer PostgreSQL (apt-get install postgresql) eller sett DATABASE_URL.\n"
            "Found neither DATABASE_URL nor the PostgreSQL binaries (initdb, pg_ctl). "
            "Install PostgreSQL or set DATABASE_URL.",
            file=sys.stderr,
        )
        return 2

    as_user: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="samordna-pg-"))
    if os.geteuid() == 0:
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            print(
                "Kjører som root uten brukeren «postgres»: PostgreSQL kan ikke startes.",
                file=sys.stderr,
            )
            return 2
        os.chown(workdir, pg_user.pw_uid, pg_user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    data, log, port = workdir / "data", workdir / "server.log", free_port()
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "samordna",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    )
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        env = {**os.environ, "DATABASE_URL": f"postgres://samordna@127.0.0.1:{port}/postgres"}
        return subprocess.call(command, env=env)
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
